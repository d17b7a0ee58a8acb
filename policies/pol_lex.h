/* pol_lex.h — internal to libretrypol's header parsers (pol_hint.c,
 * pol_quota.c): the few lexical helpers they share. Every helper reads only
 * up to the string's terminator. Cost: O(characters read), no allocation.
 */
#ifndef POL_LEX_H
#define POL_LEX_H

static inline int pol_lex_digit(char c) { return c >= '0' && c <= '9'; }
static inline int pol_lex_ows(char c)   { return c == ' ' || c == '\t'; }

static inline const char *pol_lex_skip_ows(const char *p)
{
    while (pol_lex_ows(*p)) p++;
    return p;
}

/* Reads exactly n digits; returns the advanced pointer or NULL. */
static inline const char *pol_lex_digits_n(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, p++) {
        if (!pol_lex_digit(*p)) return NULL;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return p;
}

#endif

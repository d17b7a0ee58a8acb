"""The bulkhead through retrypol.Bulkhead: the known answers of
tests/test_bulkhead.c (acquire to the cap, reject beyond, release,
over-release), the `with` form, and its invariant 0 <= in_flight <= max over
the C test's 100000 random acquires and releases (gsl_rng_taus2 seed 8), with
the final counters equal to a C driver's on the same stream."""
import unittest

import _env
import retrypol


class TestBulkhead(unittest.TestCase):
    def test_basic(self):
        with self.assertRaises(ValueError):
            retrypol.Bulkhead(0)
        b = retrypol.Bulkhead(2)
        self.assertEqual([b.acquire(), b.acquire(), b.acquire()], [True, True, False])
        self.assertEqual((b.in_flight, b.acquired, b.rejected), (2, 2, 1))
        b.release()
        self.assertTrue(b.acquire())
        b.release()
        b.release()
        with self.assertRaises(ValueError):
            b.release()                                      # a release without an acquire
        self.assertEqual(b.in_flight, 0)
        with b:
            self.assertEqual(b.in_flight, 1)
            with b:
                with self.assertRaises(retrypol.BulkheadFull):
                    with b:
                        pass
            self.assertEqual(b.in_flight, 1)
        self.assertEqual(b.in_flight, 0)
        b.reset()
        self.assertEqual((b.acquired, b.rejected), (0, 0))

    def test_invariant_and_counters_equal_to_c(self):
        want = _env.run_c(_env.driver([], """
    pol_bulkhead b; pol_bulkhead_cfg c = { 7 };
    gsl_rng_set(r, 8);
    pol_bulkhead_init(&b, &c);
    for (int i = 0; i < 100000; i++) {
        if (gsl_rng_uniform(r) < 0.55) pol_bulkhead_acquire(&b);
        else pol_bulkhead_release(&b);
    }
    printf("%d %llu %llu\\n", b.in_flight, (unsigned long long)b.acquired, (unsigned long long)b.rejected);"""))
        r = retrypol.Rng(8)
        b = retrypol.Bulkhead(7)
        bad = held = 0
        for _ in range(100000):
            if r.uniform() < 0.55:
                held += b.acquire()
            else:
                try:
                    b.release()
                    held -= 1
                except ValueError:
                    pass
            bad += not 0 <= b.in_flight <= 7 or b.in_flight != held
        self.assertEqual(bad, 0)
        self.assertGreater(b.rejected, 1000)
        self.assertEqual([f"{b.in_flight} {b.acquired} {b.rejected}"], want)


if __name__ == "__main__":
    unittest.main()

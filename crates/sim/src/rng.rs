//! The only randomness in the simulator: a small seeded SplitMix64 generator plus a
//! stateless hash, so that any minute of the load profile can be computed on its own.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for simulation noise.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// Uniform integer in `lo..=hi` (returns `lo` when `hi <= lo`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() >> 24) as u8).collect()
    }
}

/// The SplitMix64 finaliser.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stateless hash of a seed and two coordinates (e.g. a stream id and a minute index).
pub fn hash3(seed: u64, a: u64, b: u64) -> u64 {
    mix(mix(seed ^ mix(a.wrapping_add(0x632B_E59B_D9B4_E019))).wrapping_add(b))
}

/// Uniform value in `lo..=hi` from a hash.
pub fn pick(h: u64, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        return lo;
    }
    lo + (h % ((hi - lo + 1) as u64)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn range_bounds() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            let v = r.range(200, 700);
            assert!((200..=700).contains(&v));
        }
        assert_eq!(r.range(5, 5), 5);
        assert_eq!(pick(123, 4, 4), 4);
    }
}

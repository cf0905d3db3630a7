//! A small counter-based generator (SplitMix64) for the sketches and splits: cheap to seed
//! per regression, so results do not depend on how rayon schedules the work.

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    /// A generator for item `index` of stream `stream` under `seed`, independent of others.
    pub fn for_item(seed: u64, stream: u64, index: u64) -> Self {
        let mut s = SplitMix(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let a = s.next_u64();
        SplitMix(a ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03))
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n > 0), by multiply-shift (bias below 2^-32 for n < 2^32).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Moves the stream past `count` [`normal`](Self::normal) samples (two draws each)
    /// without computing them.
    pub fn skip_normals(&mut self, count: u64) {
        self.0 = self
            .0
            .wrapping_add(count.wrapping_mul(2).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    }

    /// A standard normal sample (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

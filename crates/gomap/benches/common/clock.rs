//! The benches' clock. By default the calling thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), so a run on a shared, loaded machine does not
//! count the time the thread spent descheduled; `GOMAP_BENCH_CLOCK=wall`
//! switches to wall time. `bench/go` uses the same clock for Go.
#![forbid(unsafe_code)]
#![allow(dead_code)]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// Nanoseconds of this thread's CPU time.
#[inline]
pub fn thread_cpu_ns() -> u64 {
    let ts = nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .expect("clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64
}

/// Whether the benches time with wall time instead of thread CPU time.
pub fn use_wall() -> bool {
    std::env::var("GOMAP_BENCH_CLOCK").is_ok_and(|v| v == "wall")
}

/// Defines a bench's `main`: criterion with the clock [`use_wall`] picks,
/// running `$benches`, a function generic over the measurement
/// (`fn benches<T: Measurement>(c: &mut Criterion<T>)`).
#[allow(unused_macros)]
macro_rules! main_with_clock {
    ($benches:ident) => {
        fn main() {
            if $crate::clock::use_wall() {
                let mut c = criterion::Criterion::default().configure_from_args();
                $benches(&mut c);
                c.final_summary();
            } else {
                let mut c = criterion::Criterion::default()
                    .with_measurement($crate::clock::ThreadCpu::new())
                    .configure_from_args();
                $benches(&mut c);
                c.final_summary();
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use main_with_clock;

/// Criterion measurement: thread CPU time in nanoseconds.
pub struct ThreadCpu {
    wall: WallTime,
}

impl ThreadCpu {
    pub fn new() -> Self {
        ThreadCpu { wall: WallTime }
    }
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Values are nanoseconds, like wall time's.
        self.wall.formatter()
    }
}

//! Replay and comparison in one pass: what `gomap-lab replay < F | gomap-lab compare F -`
//! would say, without the intermediate stream.

use crate::compare::{Comparison, OrderCheck};
use crate::input::{Input, InputError};
use crate::replay::{HashCheck, Replay, ReplayFailure};

/// The outcome of replaying a recording and comparing the replay with it.
#[derive(Debug)]
pub struct Verification {
    /// The comparison of the recording (reference) with the replay.
    pub comparison: Comparison,
    /// The failure that stopped the replay early, if one did; the records after it
    /// count as missing from the replay.
    pub failure: Option<ReplayFailure>,
    /// Whether the recorded hashes were recomputed, and what differed.
    pub hashes: HashCheck,
}

impl Verification {
    /// Whether the replay reached exactly the recorded layouts.
    pub fn is_match(&self) -> bool {
        self.failure.is_none() && self.hashes.mismatches.is_empty() && self.comparison.is_match()
    }
}

/// Replays `input` on gomap and compares the replay with it, keeping the first
/// `keep` differences.
pub fn verify(input: &Input, keep: usize) -> Result<Verification, InputError> {
    let mut replay = Replay::start(input)?;
    let mut order = OrderCheck::new();
    let mut comparison = Comparison::new(keep);
    for step in replay.by_ref() {
        let step = step?;
        order
            .accept(step.line, &step.input)
            .map_err(|message| InputError::Malformed {
                name: input.name().to_owned(),
                line: step.line,
                message,
            })?;
        comparison.pair(Some(&step.input), step.output.as_ref());
    }
    Ok(Verification {
        comparison,
        failure: replay.failure().cloned(),
        hashes: replay.hash_check().clone(),
    })
}

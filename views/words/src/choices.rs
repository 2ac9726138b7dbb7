//! The choices of a decision vote (同意, 不同意, 弃权) and a voter who did not
//! vote, as ballots, tally sheets and results name them.

use crate::Word;

pub const AGREE: Word = Word::new("同意", "Agree");
pub const DISAGREE: Word = Word::new("不同意", "Disagree");
pub const ABSTAIN: Word = Word::new("弃权", "Abstain");
pub const NOT_VOTING: Word = Word::new("未投", "Not voting");

/// A decision's choice by its stored name ("agree", "disagree", "abstain").
pub fn choice(name: &str) -> Word {
    match name {
        "agree" => AGREE,
        "disagree" => DISAGREE,
        _ => ABSTAIN,
    }
}

/// The three choices of a decision, in the ballot's order, with their names.
pub const DECISION: [(&str, Word); 3] = [
    ("agree", AGREE),
    ("disagree", DISAGREE),
    ("abstain", ABSTAIN),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_choice_has_its_words() {
        for (name, w) in DECISION {
            assert_eq!(choice(name), w);
        }
        assert_eq!(choice("agree").zh, "同意");
    }
}

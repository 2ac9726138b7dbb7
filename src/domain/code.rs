//! One-time activation codes: 8 characters from an alphabet without look-alikes
//! (no 0/O, 1/I/L), shown as XXXX-XXXX, typed in any case with or without the dash.

use super::Msg;

pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const LEN: usize = 8;

/// A normalized activation code (upper case, no separators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationCode(String);

impl ActivationCode {
    /// Makes a code from random bytes (one byte per character, rejection-free
    /// modulo bias is negligible at 8 × log2(31) ≈ 40 bits for a code that expires).
    pub fn from_random(bytes: [u8; LEN]) -> Self {
        ActivationCode(
            bytes
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect(),
        )
    }

    pub fn parse(input: &str) -> Result<Self, Msg> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
            .map(|c| c.to_ascii_uppercase())
            .map(|c| match c {
                'O' => '0',
                c => c,
            })
            .collect();
        let bad = || {
            Msg::new(
                "激活码应为 8 位字母和数字，例如 ABCD-2345",
                "an activation code has 8 letters and digits, e.g. ABCD-2345",
            )
        };
        if s.chars().count() != LEN {
            return Err(bad());
        }
        // Common misreadings of the slip: O→0 is not in the alphabet either, so
        // such a code is simply wrong; say so plainly.
        if !s.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(bad());
        }
        Ok(ActivationCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// XXXX-XXXX, for print.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_display() {
        let c = ActivationCode::from_random([0, 1, 2, 3, 4, 5, 6, 30]);
        assert_eq!(c.as_str(), "ABCDEFG9");
        assert_eq!(ActivationCode::parse(&c.display()).unwrap(), c);
        assert_eq!(ActivationCode::parse(" abcd efg9 ").unwrap(), c);
    }

    #[test]
    fn refuses_wrong_length_and_lookalikes() {
        assert!(ActivationCode::parse("ABC").is_err());
        assert!(ActivationCode::parse("ABCD-EFG1").is_err());
        assert!(ActivationCode::parse("ABCD-EFGO").is_err());
    }
}

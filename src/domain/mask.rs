//! Masking personal data for public display.

/// Masks a Chinese name the way notices do: 张三 → 张*, 张小明 → 张*明,
/// 欧阳小明 → 欧**明. A Latin name keeps its first letter.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut s = String::new();
            s.push(chars[0]);
            for _ in 1..n - 1 {
                s.push('*');
            }
            s.push(chars[n - 1]);
            s
        }
    }
}

/// Masks a phone number: 13812345678 → 138****5678.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    let mut s: String = chars[..3].iter().collect();
    s.push_str(&"*".repeat(n - 7));
    s.extend(&chars[n - 4..]);
    s
}

/// Masks an e-mail address: zhang.san@example.org → z***@example.org.
pub fn mask_email(email: &str) -> String {
    match email.trim().split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None if email.is_empty() => String::new(),
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_keep_only_the_first_letter_and_the_domain() {
        assert_eq!(mask_email("zhang.san@example.org"), "z***@example.org");
        assert_eq!(mask_email(""), "");
        assert_eq!(mask_email("nonsense"), "***");
    }

    #[test]
    fn masks_names() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张小明"), "张*明");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("王"), "*");
    }

    #[test]
    fn masks_phones() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
    }
}

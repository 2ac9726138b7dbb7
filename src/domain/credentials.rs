//! Rules for login names and passwords, with messages a resident understands.

use super::Msg;

/// A login name: 3–32 letters, digits, dot, dash or underscore (a mobile
/// number qualifies). Compared case-insensitively by the database.
pub fn parse_login(s: &str) -> Result<String, Msg> {
    let t = s.trim();
    let n = t.chars().count();
    if !(3..=32).contains(&n) {
        return Err(Msg::new(
            "登录名应为 3 到 32 个字符",
            "a login name has 3 to 32 characters",
        ));
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(Msg::new(
            "登录名只能用英文字母、数字、点、短横线和下划线",
            "a login name may only use letters, digits, dot, dash and underscore",
        ));
    }
    Ok(t.to_string())
}

pub const MIN_PASSWORD: usize = 8;

/// A new password, typed twice.
pub fn check_new_password(p1: &str, p2: &str) -> Result<(), (&'static str, Msg)> {
    let n = p1.chars().count();
    if n < MIN_PASSWORD {
        return Err((
            "password",
            Msg::new(
                format!("密码至少要 {MIN_PASSWORD} 位"),
                format!("a password needs at least {MIN_PASSWORD} characters"),
            ),
        ));
    }
    if n > 128 {
        return Err((
            "password",
            Msg::new(
                "密码不能超过 128 位",
                "a password may have at most 128 characters",
            ),
        ));
    }
    if p1 != p2 {
        return Err((
            "password2",
            Msg::new("两次输入的密码不一样", "the two passwords differ"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        assert_eq!(parse_login(" 13812345678 ").unwrap(), "13812345678");
        assert!(parse_login("zhang.san").is_ok());
        assert!(parse_login("ab").is_err());
        assert!(parse_login("张三丰").is_err());
        assert!(parse_login("a b c").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_new_password("longenough", "longenough").is_ok());
        assert_eq!(
            check_new_password("short", "short").unwrap_err().0,
            "password"
        );
        assert_eq!(
            check_new_password("longenough", "different!")
                .unwrap_err()
                .0,
            "password2"
        );
    }
}

//! One cell of the roll read on its own: yes/no, an e-mail address, a phone
//! number, a floor, and a column's letter.

use crate::domain::Msg;

pub(super) fn col_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

pub fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "y" | "yes" | "1" | "true" | "√" | "✓" | "有" => Some(true),
        "否" | "n" | "no" | "0" | "false" | "×" | "x" | "无" | "" => Some(false),
        _ => None,
    }
}

/// An e-mail address: one `@` with something on each side, a dot in the
/// domain, no spaces, at most 254 characters. Blank is allowed.
pub fn parse_email(s: &str) -> Result<String, Msg> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let ok = t.len() <= 254
        && !t.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
        && t.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(t.to_string())
    } else {
        Err(Msg::new(
            format!("邮箱“{t}”格式不对（应像 name@example.com）"),
            format!("e-mail \"{t}\" is not valid (it should look like name@example.com)"),
        ))
    }
}

/// A mobile (11 digits starting with 1) or a landline (digits and one dash,
/// 7–13 characters). Blank is allowed.
pub fn parse_phone(s: &str) -> Result<String, Msg> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Ok(t);
    }
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let ok_mobile = t.len() == 11 && t.starts_with('1') && digits == 11;
    let ok_land = (7..=13).contains(&t.len())
        && t.chars().all(|c| c.is_ascii_digit() || c == '-')
        && t.matches('-').count() <= 1
        && !t.starts_with('1');
    if ok_mobile || ok_land {
        Ok(t)
    } else {
        Err(Msg::new(
            format!("电话“{s}”无效（手机号应为 11 位数字）"),
            format!("phone \"{s}\" is not valid (a mobile number has 11 digits)"),
        ))
    }
}

pub(super) fn floor_from(s: &str) -> Result<i32, Msg> {
    let t = s
        .trim()
        .trim_end_matches('层')
        .trim_end_matches('楼')
        .trim();
    match t.parse::<i32>() {
        Ok(f) if (-5..=200).contains(&f) && f != 0 => Ok(f),
        _ => Err(Msg::new(
            format!("楼层“{}”无效（应为 1 到 200 的整数，地下为负数）", s.trim()),
            format!(
                "floor \"{}\" is not valid (a whole number, negative below ground)",
                s.trim()
            ),
        )),
    }
}

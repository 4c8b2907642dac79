//! Contact details: emails lower-cased, Vietnamese phone numbers in any common spelling stored as E.164.

use phonenumber::Mode;

use crate::domain::text::Validator;
use crate::error::FieldCode;
use phonenumber::country::Id;

/// Lower-cased, trimmed email, if it has the shape of an address.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let shape_ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.chars().count() <= 254
        && !email.chars().any(|c| {
            c.is_whitespace() || c.is_control() || crate::domain::text::is_invisible_or_bidi(c)
        });
    shape_ok.then_some(email)
}

/// `0912 345 678`, `0912.345.678`, `+84 912 345 678` and `84912345678` all become
/// `+84912345678`. Numbers of other countries need their `+` prefix.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.len() > 32 || trimmed.chars().any(char::is_control) {
        return None;
    }
    // libphonenumber would read letters by the keypad (`0912 ABC 678` as 0912 222 678, and
    // an `O` typed for a zero as 6): a number with letters is a typo, not a vanity number.
    if trimmed.chars().any(char::is_alphabetic) {
        return None;
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    // "84912345678" typed without the plus.
    let candidate = if !trimmed.starts_with('+') && digits.starts_with("84") && digits.len() == 11 {
        format!("+{digits}")
    } else {
        trimmed.to_owned()
    };
    let number = phonenumber::parse(Some(Id::VN), &candidate).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(Mode::E164).to_string())
}

/// An optional email field: blank is `None`; otherwise normalised, or an error in `v`.
pub fn check_email(v: &mut Validator, field: String, raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|e| !e.is_empty())?;
    let email = normalize_email(raw);
    if email.is_none() {
        v.push(field, FieldCode::InvalidFormat, "not an email address");
    }
    email
}

/// An optional phone field: blank is `None`; otherwise E.164, or an error in `v`.
pub fn check_phone(v: &mut Validator, field: String, raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|p| !p.is_empty())?;
    let phone = normalize_phone(raw);
    if phone.is_none() {
        let message = if raw.chars().any(char::is_alphabetic) {
            "a phone number has digits only, no letters (e.g. 0912 345 678 or +84912345678)"
        } else {
            "not a phone number (e.g. 0912 345 678 or +84912345678)"
        };
        v.push(field, FieldCode::InvalidPhone, message);
    }
    phone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_phone_spellings_become_e164() {
        for raw in [
            "0912345678",
            "0912 345 678",
            "0912.345.678",
            "+84912345678",
            "+84 912 345 678",
            "84912345678",
        ] {
            assert_eq!(
                normalize_phone(raw).as_deref(),
                Some("+84912345678"),
                "{raw}"
            );
        }
        assert_eq!(
            normalize_phone("02113 862 555").as_deref(),
            Some("+842113862555")
        );
    }

    #[test]
    fn malformed_phones_are_refused() {
        for raw in [
            "12345",
            "",
            "abc",
            "0912\u{0}345678",
            "09123456789012345",
            "0912 ABC 678",
            "0912 345 67O",
        ] {
            assert_eq!(normalize_phone(raw), None, "{raw}");
        }
    }

    #[test]
    fn emails_are_lower_cased_and_shape_checked() {
        assert_eq!(
            normalize_email(" A.B@Example.VN ").as_deref(),
            Some("a.b@example.vn")
        );
        assert_eq!(normalize_email("not-an-email"), None);
        assert_eq!(normalize_email("a@b"), None);
    }
}

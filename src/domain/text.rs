//! Text rules shared by every resource: NFC normalisation, bounded clean strings, and the
//! accent-folded form used for Vietnamese-friendly search.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::{ApiError, ErrorCode, FieldCode, FieldError};

/// Folds text for search: lower case, diacritics removed, `đ`/`Đ` mapped to `d`,
/// whitespace collapsed. `Nguyễn Văn Đức` becomes `nguyen van duc`.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut last_was_space = true;
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !last_was_space {
                folded.push(' ');
            }
            last_was_space = true;
            continue;
        }
        last_was_space = false;
        folded.extend(c.to_lowercase());
    }
    if folded.ends_with(' ') {
        folded.pop();
    }
    folded
}

/// Escapes `%`, `_` and `\` so user input matches literally inside a `LIKE` pattern.
pub fn like_contains(folded: &str) -> String {
    let mut pattern = String::with_capacity(folded.len() + 2);
    pattern.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The `q=` parameter, trimmed and checked: no control characters, at most 200 characters.
pub fn query_text(q: Option<&str>) -> Result<Option<&str>, ApiError> {
    match q {
        Some(q) if has_forbidden_chars(q, false) => Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "q contains control, invisible or text-direction characters",
        )),
        Some(q) if q.chars().count() > 200 => Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "q must be at most 200 characters",
        )),
        Some(q) => Ok(Some(q.trim()).filter(|q| !q.is_empty())),
        None => Ok(None),
    }
}

/// A `LIKE` pattern for folded free-text search, or `None` for an empty query.
pub fn search_pattern(q: Option<&str>) -> Result<Option<String>, ApiError> {
    Ok(query_text(q)?
        .map(fold)
        .filter(|f| !f.is_empty())
        .map(|f| like_contains(&f)))
}

/// Collects every invalid field of a request so a 422 lists them all at once.
#[derive(Default, Debug)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: impl Into<String>, code: FieldCode, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), crate::error::ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(crate::error::ApiError::validation(self.errors))
        }
    }

    /// A required single-line string: trimmed, NFC, 1..=max characters, no control characters.
    pub fn required_line(&mut self, field: &str, value: &str, max: usize) -> String {
        let cleaned = clean(value);
        if cleaned.is_empty() {
            self.push(
                field,
                FieldCode::Required,
                format!("{field} must not be empty"),
            );
        } else {
            self.check_clean(field, value, &cleaned, max, false);
        }
        cleaned
    }

    /// An optional string: `None` or blank becomes `None`; otherwise as `required_line`
    /// (multi-line text allowed when `multiline`).
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
        multiline: bool,
    ) -> Option<String> {
        let value = value?;
        let cleaned = clean(value);
        if cleaned.is_empty() {
            return None;
        }
        self.check_clean(field, value, &cleaned, max, multiline);
        Some(cleaned)
    }

    /// A list of short strings, each required and bounded.
    pub fn string_list(
        &mut self,
        field: &str,
        values: &[String],
        max_items: usize,
        max_len: usize,
    ) -> Vec<String> {
        if values.len() > max_items {
            self.push(
                field,
                FieldCode::TooManyItems,
                format!("{field} has more than {max_items} items"),
            );
        }
        values
            .iter()
            .enumerate()
            .map(|(i, v)| self.required_line(&format!("{field}[{i}]"), v, max_len))
            .collect()
    }

    /// Lengths are checked on the text as sent too, so the limits match the spec's `maxLength`.
    fn check_clean(&mut self, field: &str, raw: &str, cleaned: &str, max: usize, multiline: bool) {
        if has_forbidden_chars(raw, multiline) {
            self.push(
                field,
                FieldCode::InvalidCharacters,
                format!("{field} contains control, invisible or text-direction characters"),
            );
        } else if raw.chars().count() > max || cleaned.chars().count() > max {
            self.push(
                field,
                FieldCode::TooLong,
                format!("{field} must be at most {max} characters"),
            );
        }
    }
}

/// Trims and normalises to NFC.
pub fn clean(value: &str) -> String {
    value.trim().nfc().collect()
}

/// Control characters (NUL above all: PostgreSQL cannot store it) are refused; multi-line
/// fields may contain line breaks and tabs. So are invisible and text-direction characters.
pub fn has_forbidden_chars(value: &str, multiline: bool) -> bool {
    value.chars().any(|c| {
        (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
            || is_invisible_or_bidi(c)
    })
}

/// Zero-width characters (a name of three U+200B looks blank but is not) and bidirectional
/// controls (a right-to-left override can make a door screen or a badge read otherwise than
/// what is stored). No Vietnamese or other name needs them.
pub fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_vietnamese_diacritics_and_maps_d_with_stroke() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("  Sản xuất   sạch hơn "), "san xuat sach hon");
        assert_eq!(fold("đường"), "duong");
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn validator_reports_every_invalid_field() {
        let mut v = Validator::new();
        v.required_line("title", "   ", 10);
        v.required_line("room", "a\u{0}b", 10);
        v.required_line("venue", "abcdefghijkl", 10);
        let ok = v.required_line("code", " Hội thảo ", 10);
        assert_eq!(ok, "Hội thảo");
        let codes: Vec<_> = v
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("title", "required"),
                ("room", "invalid_characters"),
                ("venue", "too_long")
            ]
        );
    }

    #[test]
    fn zero_width_and_direction_characters_are_refused_with_the_field_named() {
        let mut v = Validator::new();
        v.required_line("full_name", "\u{200B}\u{200B}\u{200B}", 200);
        v.required_line("position", "Tr\u{202E}\u{1b0}\u{1edf}ng ph\u{f2}ng", 200);
        v.optional_text("note", Some("a\u{FEFF}b"), 200, true);
        v.required_line("title", "Nguy\u{1ec5}n V\u{103}n \u{110}\u{1ee9}c", 200);
        let codes: Vec<_> = v
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("full_name", "invalid_characters"),
                ("position", "invalid_characters"),
                ("note", "invalid_characters"),
            ]
        );
    }

    #[test]
    fn clean_normalises_decomposed_input_to_nfc() {
        let decomposed = "Nguye\u{302}\u{303}n";
        assert_eq!(clean(decomposed), "Nguyễn");
    }
}

//! The person-search rule shared by the organizers' registration list (`q=`), the device
//! `checkin-search` and (documented in the README) offline clients reading the bundle.
//!
//! A query is folded like every stored search text ([`text::fold`]: NFD, combining marks
//! dropped, `đ` → `d`, lower case) and split on whitespace. Every word of the query must be a
//! prefix of some word of the registration (name, unit, organization, reference, email, phone),
//! in any order: `an nguyen` and `nguyen an` both find `Nguyễn Hồng An`, and `an` does not
//! match inside `doan`. A query that is a phone number (9+ digits, only digits and `+ .-()`) is
//! normalised first, so `0912 345 678` finds `+84912345678`.
//!
//! Results are ranked: the exact full name (same words, same order) first, then registrations
//! whose name holds every query word whole, then those whose name holds them as prefixes, then
//! the rest (matched through unit, reference, email or phone); within each, by folded name
//! (the query is `crate::db::registrations::SEARCH`).

use crate::domain::contact::normalize_phone;
use crate::domain::text::fold;

/// A parsed search query: the folded text and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The folded query, words separated by one space (compared with the folded name).
    pub folded: String,
    /// The folded query's words, in the order typed.
    pub words: Vec<String>,
}

impl SearchQuery {
    /// Parses a trimmed, non-empty `q`; `None` when nothing searchable is left after folding.
    pub fn parse(q: &str) -> Option<SearchQuery> {
        let folded = match phone_query(q) {
            Some(phone) => fold(&phone),
            None => fold(q),
        };
        let words = words(&folded);
        if words.is_empty() {
            return None;
        }
        Some(SearchQuery {
            folded: words.join(" "),
            words,
        })
    }
}

impl SearchQuery {
    /// The query as the database layer takes it.
    pub fn terms(&self) -> crate::db::registrations::NameSearch<'_> {
        crate::db::registrations::NameSearch {
            folded: &self.folded,
            words: &self.words,
        }
    }
}

/// The words of a folded text: the unit both stored texts and queries are matched by.
pub fn words(folded: &str) -> Vec<String> {
    folded.split_whitespace().map(str::to_owned).collect()
}

/// `0912 345 678`, `+84 912-345-678` and the like, normalised to `+84912345678`.
fn phone_query(q: &str) -> Option<String> {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || " .+-()".contains(c));
    if digits >= 9 && phone_like {
        normalize_phone(q)
    } else {
        None
    }
}

/// Whether a folded text matches a query under the rule above (every query word a prefix of
/// one of its words); the reference implementation of what the database does with its index.
pub fn matches(query: &SearchQuery, folded: &str) -> bool {
    let words: Vec<&str> = folded.split_whitespace().collect();
    query
        .words
        .iter()
        .all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> SearchQuery {
        SearchQuery::parse(q).unwrap_or_else(|| panic!("{q} parses"))
    }

    #[test]
    fn queries_fold_and_split_on_whitespace() {
        assert_eq!(
            parse("  Nguyễn   Hồng\tAN ").words,
            ["nguyen", "hong", "an"]
        );
        assert_eq!(parse("Đào").folded, "dao");
        assert_eq!(SearchQuery::parse("\u{301}"), None);
    }

    #[test]
    fn phone_spellings_become_the_stored_international_form() {
        assert_eq!(parse("0912 345 678").words, ["+84912345678"]);
        assert_eq!(parse("+84 912-345-678").words, ["+84912345678"]);
        assert_eq!(parse("0912").words, ["0912"]);
    }

    #[test]
    fn every_word_must_prefix_a_word_in_any_order() {
        let name = fold("Nguyễn Hồng An");
        for q in ["an nguyen", "nguyen an", "hong an nguyen", "ng h a", "AN"] {
            assert!(matches(&parse(q), &name), "{q}");
        }
        for q in ["nguyen binh", "guyen", "ong"] {
            assert!(!matches(&parse(q), &name), "{q}");
        }
        assert!(!matches(&parse("an"), &fold("Đoàn Thị Hà")));
    }
}

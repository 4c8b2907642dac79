//! Email texts: files under `templates/email/`, compiled into the binary and rendered with
//! minijinja. One body per language is written as plain text; the HTML part is that text laid
//! out by `layout.html.j2`, where every value is HTML-escaped, so the two parts always say the
//! same thing.

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Value, context};
use serde::Serialize;

use crate::domain::common::Lang;

const FILES: &[(&str, &str)] = &[
    (
        "vi.subject.j2",
        include_str!("../../../templates/email/vi.subject.j2"),
    ),
    (
        "en.subject.j2",
        include_str!("../../../templates/email/en.subject.j2"),
    ),
    (
        "vi.body.j2",
        include_str!("../../../templates/email/vi.body.j2"),
    ),
    (
        "en.body.j2",
        include_str!("../../../templates/email/en.body.j2"),
    ),
    (
        "layout.html.j2",
        include_str!("../../../templates/email/layout.html.j2"),
    ),
];

/// A message's three texts.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The compiled templates; built once per process (`serve` refuses to start if one is broken).
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn load() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.j2") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        for (name, source) in FILES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    /// Renders subject, text and HTML for `ctx` (a `message::MessageContext`) in `lang`.
    pub fn render<C: Serialize>(&self, lang: Lang, ctx: &C) -> Result<Rendered, minijinja::Error> {
        let lang = lang.as_str();
        let subject = self
            .env
            .get_template(&format!("{lang}.subject.j2"))?
            .render(Serde(ctx))?;
        // A header is one line: a title with a line break must not add headers.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = self
            .env
            .get_template(&format!("{lang}.body.j2"))?
            .render(Serde(ctx))?;
        let text = tidy(&text);
        let paragraphs: Vec<Vec<String>> = text
            .split("\n\n")
            .map(|p| {
                p.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .filter(|p: &Vec<String>| !p.is_empty())
            .collect();
        let html = self.env.get_template("layout.html.j2")?.render(context! {
            lang => lang,
            subject => subject.clone(),
            paragraphs => paragraphs,
            ..Value::from(Serde(ctx))
        })?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

/// No trailing spaces, at most one blank line between paragraphs, a final newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notifications::Event;

    fn ctx(event: Event, title: &str) -> serde_json::Value {
        serde_json::json!({
            "event": event.as_str(),
            "conference": {"title": title, "starts": "07:30 19/12/2026", "ends": "11:30 19/12/2026",
                           "venue": "Vĩnh Yên", "host": "Ban tổ chức"},
            "person": {"full_name": "Nguyễn Văn <An>", "reference": "SXSH-0001", "status": "confirmed"},
            "invitation": null,
            "sessions": [],
            "link": "https://hoithao.example/delegate#token=abc",
            "has_qr": true,
            "has_calendar": true,
        })
    }

    #[test]
    fn every_event_has_a_subject_and_a_body_in_both_languages() {
        let templates = Templates::load().unwrap_or_else(|e| panic!("{e}"));
        for event in Event::VALUES {
            let event: Event = event.parse().unwrap_or_else(|e| panic!("{e:?}"));
            if event == Event::CheckinRecorded {
                continue; // webhooks only
            }
            for lang in [Lang::Vi, Lang::En] {
                let rendered = templates
                    .render(lang, &ctx(event, "Hội thảo"))
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(rendered.subject.contains("Hội thảo"), "{event:?} {lang:?}");
                assert!(rendered.text.len() > 80, "{event:?} {lang:?}");
            }
        }
    }

    #[test]
    fn html_escapes_names_and_titles_and_the_subject_stays_one_line() {
        let templates = Templates::load().unwrap_or_else(|e| panic!("{e}"));
        let rendered = templates
            .render(
                Lang::Vi,
                &ctx(Event::RegistrationConfirmed, "A <b>\r\nBcc: x@y"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(rendered.html.contains("Nguyễn Văn &lt;An&gt;"));
        assert!(!rendered.html.contains("<b>"));
        assert!(!rendered.subject.contains('\n') && !rendered.subject.contains('\r'));
        assert!(rendered.text.contains("Nguyễn Văn <An>"));
        assert!(rendered.html.contains("cid:qr"));
    }
}

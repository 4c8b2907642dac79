//! Who a registration is for: the person fields checked and normalised, new or patched.

use super::*;

/// A validated person plus the unit name that goes into its search text.
pub struct ValidPerson {
    pub write: PersonWrite,
    unit_name: Option<String>,
}

impl ValidPerson {
    /// The name of the person's unit, when they belong to one.
    pub fn unit_name(&self) -> Option<String> {
        self.unit_name.clone()
    }

    /// Search text with the registration's reference, once its number is known.
    pub fn with_reference(mut self, reference: &str) -> PersonWrite {
        let local_phone = self
            .write
            .phone
            .as_deref()
            .and_then(|p| p.strip_prefix("+84"))
            .map(|rest| format!("0{rest}"));
        let parts = [
            Some(self.write.full_name.as_str()),
            self.unit_name.as_deref(),
            self.write.organization.as_deref(),
            Some(reference),
            self.write.email.as_deref(),
            self.write.phone.as_deref(),
            local_phone.as_deref(),
        ];
        self.write.search_text = fold(&parts.into_iter().flatten().collect::<Vec<_>>().join(" "));
        self.write.name_folded = fold(&self.write.full_name);
        self.write
    }
}

/// Checks a person; errors are collected in `v` with `prefix` on every field name.
pub async fn validate_person(
    conn: &mut AsyncPgConnection,
    input: &PersonInput,
    v: &mut Validator,
    prefix: &str,
) -> ApiResult<ValidPerson> {
    let unit = match input.unit_id {
        None => None,
        Some(unit_id) => Some(
            db::units::find(conn, unit_id.into(), false)
                .await?
                .map(|unit| unit.name),
        ),
    };
    let person = check_person(input, unit.clone().flatten(), v, prefix);
    if unit.is_some_and(|found| found.is_none()) {
        v.push(
            format!("{prefix}unit_id"),
            crate::error::FieldCode::UnknownUnit,
            "no such unit",
        );
    }
    Ok(person)
}

/// The checks of [`validate_person`] once the unit (if any) has been looked up.
pub fn check_person(
    input: &PersonInput,
    unit_name: Option<String>,
    v: &mut Validator,
    prefix: &str,
) -> ValidPerson {
    let field = |name: &str| format!("{prefix}{name}");
    let full_name = v.required_line(&field("full_name"), &input.full_name, 200);
    let position = v.optional_text(&field("position"), input.position.as_deref(), 200, false);
    let organization = v.optional_text(
        &field("organization"),
        input.organization.as_deref(),
        300,
        false,
    );
    let email = check_email(v, field("email"), input.email.as_deref());
    let phone = check_phone(v, field("phone"), input.phone.as_deref());
    let contact_given = input.email.as_deref().is_some_and(|e| !e.trim().is_empty())
        || input.phone.as_deref().is_some_and(|p| !p.trim().is_empty());
    if !contact_given {
        v.push(
            field("email"),
            crate::error::FieldCode::ContactRequired,
            "give an email or a phone number",
        );
    }
    ValidPerson {
        write: PersonWrite {
            full_name,
            position,
            unit_id: input.unit_id,
            organization,
            category: input.category,
            email,
            phone,
            search_text: String::new(),
            name_folded: String::new(),
            language: input
                .language
                .unwrap_or(crate::domain::common::Lang::Vi)
                .as_str()
                .to_owned(),
        },
        unit_name,
    }
}

/// Merges a patch into the current person and validates the result.
pub async fn patched_person(
    conn: &mut AsyncPgConnection,
    current: &RegistrationRow,
    patch: PersonPatch,
    v: &mut Validator,
) -> ApiResult<ValidPerson> {
    let input = PersonInput {
        full_name: patch.full_name.unwrap_or_else(|| current.full_name.clone()),
        position: patch.position.unwrap_or_else(|| current.position.clone()),
        unit_id: patch.unit_id.unwrap_or(current.unit_id),
        organization: patch
            .organization
            .unwrap_or_else(|| current.organization.clone()),
        category: patch.category.unwrap_or(current.category),
        email: patch.email.unwrap_or_else(|| current.email.clone()),
        phone: patch.phone.unwrap_or_else(|| current.phone.clone()),
        language: Some(current.language.parse()?),
    };
    validate_person(conn, &input, v, "").await
}

/// Checks a patch on its own (lengths, characters), before it meets any registration, so a
/// malformed bulk edit is refused whole rather than per registration.
pub(super) fn check_patch(patch: &PersonPatch) -> ApiResult<()> {
    let mut v = Validator::new();
    if let Some(name) = &patch.full_name {
        v.required_line("patch.full_name", name, 200);
    }
    for (field, value, max) in [
        ("patch.position", &patch.position, 200),
        ("patch.organization", &patch.organization, 300),
        ("patch.email", &patch.email, 254),
        ("patch.phone", &patch.phone, 32),
    ] {
        if let Some(Some(text)) = value {
            v.optional_text(field, Some(text), max, false);
        }
    }
    v.finish()
}

//! Name badges.

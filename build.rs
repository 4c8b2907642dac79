// The migrations are embedded at compile time (`embed_migrations!`): rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    // Release builds embed web/ (rust-embed): rebuild when a page or script changes.
    println!("cargo:rerun-if-changed=web");
}

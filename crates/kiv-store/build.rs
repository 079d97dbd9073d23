// The migrations and the reference seeds are embedded in the binary: rebuild when one changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
    println!("cargo:rerun-if-changed=../../seeds");
}

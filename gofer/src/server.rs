//! The Gofer server loop.
/// TEMP
#[derive(Default)]
pub struct ServeOptions {
    pub read_only: bool,
}
/// TEMP
pub fn serve(_r: &std::path::Path, _s: std::os::fd::OwnedFd, _o: ServeOptions) -> std::io::Result<()> {
    std::thread::sleep(std::time::Duration::from_secs(1000));
    Ok(())
}

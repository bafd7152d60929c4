//! Precompressed copies of the built files (`app.wasm.br`, `app.wasm.gz`, ...), for static hosts that serve them
//! (nginx `brotli_static` and `gzip_static`, Caddy's `precompressed`), written by `cargo xtask build`.
//!
//! A host that compresses as it serves uses a fast level: nginx's brotli 6 sends the wasm 13 % larger than brotli
//! 11 does, gzip 6 (nginx without the brotli module) 26 % larger, and on the register page's slow link (1.6 Mbps)
//! that is the difference the first-paint bench sees. Compressing once at build time can afford the best level.
//!
//! `config.json` is left out: operators swap in their own after the build (README, Deploying), and a stale
//! `config.json.br` beside it would be served to every browser in its place. So is `index.html`, which deployments
//! and the benches rewrite (CSP meta, preconnect) for the same reason; both are small.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// The extensions of the files compressed, as the README's recipe lists their MIME types.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "json", "svg"];

/// Files rewritten after the build (see the module docs): never precompressed.
const REWRITTEN_LATER: &[&str] = &["config.json", "index.html"];

/// Brotli's best level with a 4 MB window (bigger than any file here).
fn brotli_params() -> brotli::enc::BrotliEncoderParams {
    brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() }
}

/// The best brotli and gzip of `bytes`.
pub fn compress(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?;
    let mut br = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &brotli_params())?;
    Ok((br, gzip))
}

/// Whether `path` gets precompressed siblings.
fn is_precompressed(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    COMPRESSIBLE.contains(&ext) && !REWRITTEN_LATER.contains(&name)
}

/// Writes `F.br` and `F.gz` beside every compressible file under `dist` (recursively), replacing older ones. A
/// sibling that would not be smaller than the file is not written (the host then serves the file).
pub fn write_siblings(dist: &Path) -> Result<usize> {
    let mut written = 0;
    for path in files_under(dist)? {
        if !is_precompressed(&path) {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let (br, gzip) = compress(&bytes)?;
        for (suffix, compressed) in [("br", br), ("gz", gzip)] {
            let sibling = sibling(&path, suffix);
            if compressed.len() < bytes.len() {
                std::fs::write(&sibling, compressed).with_context(|| format!("writing {}", sibling.display()))?;
                written += 1;
            } else if sibling.exists() {
                std::fs::remove_file(&sibling)?;
            }
        }
    }
    Ok(written)
}

/// `F.suffix` beside `F`.
pub fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    name.into()
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files_under(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

//! What a photo becomes before it is stored: only JPEG, PNG or WebP of at most
//! [`MAX_BYTES`], turned upright by its own orientation tag, then encoded afresh as JPEG in
//! [`VARIANTS`] sizes. Encoding afresh is what strips it: no EXIF, no GPS position, no
//! camera or software name leaves the server.
//!
//! Decoding is CPU work: callers run [`prepare`] on a blocking thread.

use std::io::Cursor;

use bytes::Bytes;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

/// The largest upload taken.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Each stored size: its name and the longest side it is fitted in (never enlarged).
pub const VARIANTS: [(&str, u32); 2] = [("list", 480), ("page", 1280)];

const JPEG_QUALITY: u8 = 82;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("the photo is larger than 10 MB")]
    TooLarge,
    #[error("only JPEG, PNG or WebP photos are taken; this is {0}")]
    NotAPhoto(String),
    #[error("the photo cannot be read: {0}")]
    Unreadable(String),
}

impl From<PhotoError> for golmok_core::DomainError {
    fn from(e: PhotoError) -> Self {
        match e {
            PhotoError::TooLarge => golmok_core::DomainError::TooLarge(e.to_string()),
            other => golmok_core::ValidationErrors::single("photo", other.to_string()).into(),
        }
    }
}

/// One stored size of a photo.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Bytes,
}

/// What kind of file the bytes are, by their first bytes (never by the name or the header
/// the client sent).
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, PhotoError> {
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        Ok(other) => Err(PhotoError::NotAPhoto(format!("{other:?}"))),
        Err(_) if bytes.starts_with(b"%PDF") => Err(PhotoError::NotAPhoto("a PDF".into())),
        Err(_) => Err(PhotoError::NotAPhoto("not an image".into())),
    }
}

/// An upload checked and stripped on a blocking thread (decoding is slow work for an async
/// one), in its page size alone: what a courier's proof, a claim, a tour and a project keep.
pub async fn page_size(upload: Bytes) -> Result<Variant, golmok_core::DomainError> {
    let variants = tokio::task::spawn_blocking(move || prepare(&upload))
        .await
        .map_err(|e| golmok_core::DomainError::internal(format!("preparing a photo: {e}")))??;
    variants
        .into_iter()
        .find(|v| v.name == "page")
        .ok_or_else(|| golmok_core::DomainError::internal("a photo without its page size"))
}

/// The photo's stored sizes, from an upload.
pub fn prepare(bytes: &[u8]) -> Result<Vec<Variant>, PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    // A small file that decodes to a vast picture is refused, not decoded.
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let unreadable = |e: image::ImageError| PhotoError::Unreadable(e.to_string());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    let flat = on_white(&picture);
    VARIANTS
        .iter()
        .map(|&(name, side)| encode(name, &flat, side))
        .collect()
}

/// Transparent parts shown on white, as on the page.
fn on_white(picture: &DynamicImage) -> DynamicImage {
    if !picture.color().has_alpha() {
        return DynamicImage::ImageRgb8(picture.to_rgb8());
    }
    let rgba = picture.to_rgba8();
    let flat = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    });
    DynamicImage::ImageRgb8(flat)
}

fn encode(name: &'static str, picture: &DynamicImage, side: u32) -> Result<Variant, PhotoError> {
    let fitted = if picture.width() > side || picture.height() > side {
        picture.resize(side, side, image::imageops::FilterType::Lanczos3)
    } else {
        picture.clone()
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&fitted)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(Variant {
        name,
        width: fitted.width(),
        height: fitted.height(),
        bytes: out.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([
                (x % 256) as u8,
                (y % 256) as u8,
                90,
                if x < 10 { 0 } else { 255 },
            ])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(picture)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_photo_is_fitted_into_each_size_and_never_enlarged() {
        let variants = prepare(&png(2000, 1000)).unwrap();
        let sizes: Vec<_> = variants
            .iter()
            .map(|v| (v.name, v.width, v.height))
            .collect();
        assert_eq!(sizes, [("list", 480, 240), ("page", 1280, 640)]);
        let small = prepare(&png(300, 200)).unwrap();
        assert!(small.iter().all(|v| (v.width, v.height) == (300, 200)));
        for v in &variants {
            assert_eq!(sniff(&v.bytes), Ok(ImageFormat::Jpeg));
        }
    }

    #[test]
    fn only_photos_are_taken() {
        assert!(matches!(
            prepare(b"%PDF-1.7 a menu"),
            Err(PhotoError::NotAPhoto(_))
        ));
        assert!(matches!(
            prepare(b"GIF89a...."),
            Err(PhotoError::NotAPhoto(_))
        ));
        assert!(matches!(
            prepare(&[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]),
            Err(PhotoError::Unreadable(_))
        ));
        assert_eq!(
            prepare(&vec![0u8; MAX_BYTES + 1]).err(),
            Some(PhotoError::TooLarge)
        );
    }

    #[test]
    fn what_the_camera_wrote_does_not_survive() {
        // A JPEG with an EXIF segment holding a GPS tag's marker text.
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&DynamicImage::ImageRgb8(RgbImage::new(64, 48)))
            .unwrap();
        let exif = b"Exif\0\0MM\0*GPSLatitude 37.5563 Galaxy S24";
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        segment.extend_from_slice(exif);
        let mut tagged = jpeg[..2].to_vec();
        tagged.extend_from_slice(&segment);
        tagged.extend_from_slice(&jpeg[2..]);
        for v in prepare(&tagged).unwrap() {
            let text = String::from_utf8_lossy(&v.bytes);
            assert!(!text.contains("Exif") && !text.contains("GPS") && !text.contains("Galaxy"));
        }
    }
}

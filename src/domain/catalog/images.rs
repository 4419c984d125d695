//! Product pictures: an upload is checked to be a PNG, JPEG or WebP image of a sensible size,
//! decoded (so a file that only claims to be an image is refused), and written again at a few
//! widths as JPEG or PNG, with nothing of the original kept but its pixels (no metadata, no
//! trailing bytes). Files are named by the hash of their bytes, so their address never changes
//! meaning and browsers may keep them for good.
use std::io::Cursor;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::CatalogError;
use crate::db::schema::{image_files, product_images, products};
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::shared::{AccountId, Code, FieldError, FieldErrors, Localized, ProductId};

/// The largest upload taken: a product shot, not a camera's raw file.
pub const MAX_BYTES: usize = 3 * 1024 * 1024;
/// Neither side may be smaller (too coarse to show) or larger (too costly to decode).
pub const MIN_SIDE: u32 = 200;
pub const MAX_SIDE: u32 = 6000;
/// The widths written for `srcset`; an image narrower than one is written at its own width.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// A product has at most this many pictures.
pub const MAX_PER_PRODUCT: i64 = 12;

/// One written file of a picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
    pub hash: String,
    pub bytes: Vec<u8>,
}

/// The file name of stored bytes: their hash and the extension of their type.
fn file_name(hash: &str, content_type: &str) -> String {
    format!("{hash}.{}", if content_type == "image/png" { "png" } else { "jpg" })
}

/// The public address of a stored file.
pub fn file_url(hash: &str, content_type: &str) -> String {
    format!("/media/{}", file_name(hash, content_type))
}

/// An upload that passed the checks, written at its widths.
#[derive(Debug, Clone)]
pub struct CheckedImage {
    pub width: u32,
    pub height: u32,
    pub files: Vec<ImageFile>,
}

/// Checks an upload and writes its files. CPU work: run it off the request's thread.
///
/// # Errors
/// On `field`: `image_too_big` over [`MAX_BYTES`], `image_format` for anything that is not a
/// PNG, JPEG or WebP image that decodes, `image_size` for a side out of bounds.
pub fn check(bytes: &[u8], field: &str) -> Result<CheckedImage, FieldErrors> {
    if bytes.is_empty() {
        return Err(FieldErrors::single(field, Code::Required));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldErrors::single(field, FieldError::from(Code::ImageTooBig).with("max", "3 MB")));
    }
    let bad_format = || FieldErrors::single(field, Code::ImageFormat);
    let format = image::guess_format(bytes).map_err(|_| bad_format())?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) {
        return Err(bad_format());
    }
    let reader = |limits| {
        let mut r = ImageReader::with_format(Cursor::new(bytes), format);
        r.limits(limits);
        r
    };
    let size_error =
        || FieldErrors::single(field, FieldError::from(Code::ImageSize).with("min", MIN_SIDE).with("max", MAX_SIDE));
    let (w, h) = reader(limits()).into_dimensions().map_err(|_| bad_format())?;
    if w < MIN_SIDE || h < MIN_SIDE || w > MAX_SIDE || h > MAX_SIDE {
        return Err(size_error());
    }
    let decoded = reader(limits()).decode().map_err(|_| bad_format())?;
    let files = variants(&decoded).map_err(|_| bad_format())?;
    Ok(CheckedImage { width: w, height: h, files })
}

/// What a decoder may spend on one upload.
fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(256 * 1024 * 1024);
    l
}

/// The picture at each width up to its own, JPEG where it is opaque and PNG where it is not.
fn variants(img: &DynamicImage) -> Result<Vec<ImageFile>, image::ImageError> {
    let opaque = !img.color().has_alpha();
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w < img.width()).collect();
    if widths.len() < WIDTHS.len() {
        widths.push(img.width().min(WIDTHS[WIDTHS.len() - 1]));
    }
    let mut files = Vec::with_capacity(widths.len());
    for width in widths {
        let height = (u64::from(img.height()) * u64::from(width) / u64::from(img.width())).max(1) as u32;
        let scaled = if width == img.width() {
            img.clone()
        } else {
            img.resize_exact(width, height, image::imageops::FilterType::Triangle)
        };
        let mut out = Vec::new();
        let content_type = if opaque {
            let rgb = DynamicImage::ImageRgb8(scaled.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            rgb.write_with_encoder(encoder)?;
            "image/jpeg"
        } else {
            let rgba = DynamicImage::ImageRgba8(scaled.to_rgba8());
            rgba.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?;
            "image/png"
        };
        let hash = hex::encode(Sha256::digest(&out));
        files.push(ImageFile { width, height, content_type, hash, bytes: out });
    }
    Ok(files)
}

/// A picture as pages show it: its files from narrowest to widest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductImage {
    pub id: Uuid,
    pub product_id: ProductId,
    pub alt: Localized,
    pub width: i32,
    pub height: i32,
    /// `(width, url)`, narrowest first.
    pub files: Vec<(i32, String)>,
}

impl ProductImage {
    /// The file closest to `width` from above (or the widest).
    pub fn src(&self, width: i32) -> &str {
        self.files.iter().find(|(w, _)| *w >= width).or(self.files.last()).map_or("", |(_, u)| u)
    }

    /// `url 480w, url 960w, …`
    pub fn srcset(&self) -> String {
        self.files.iter().map(|(w, u)| format!("{u} {w}w")).collect::<Vec<_>>().join(", ")
    }
}

/// A product's first picture as kept with it (migration `keep_the_product_cover`); `None` for a
/// value of another shape, which only a hand edit could make.
pub fn cover_from_json(product_id: ProductId, value: serde_json::Value) -> Option<ProductImage> {
    #[derive(serde::Deserialize)]
    struct Kept {
        id: Uuid,
        width: i32,
        height: i32,
        alt_mn: String,
        alt_en: String,
        files: Vec<(i32, String, String)>,
    }
    let k: Kept = serde_json::from_value(value).ok()?;
    if k.files.is_empty() {
        return None;
    }
    Some(ProductImage {
        id: k.id,
        product_id,
        alt: Localized { mn: k.alt_mn, en: k.alt_en },
        width: k.width,
        height: k.height,
        files: k.files.into_iter().map(|(w, hash, t)| (w, file_url(&hash, &t))).collect(),
    })
}

/// The pictures of some products, in their order, each with its files: one statement whatever
/// their number.
///
/// # Errors
/// A database failure.
pub fn images_of(conn: &mut PgConnection, ids: &[ProductId]) -> Result<Vec<ProductImage>, CatalogError> {
    use diesel::sql_types::{Array, Integer, Text, Uuid as SqlUuid};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        product_id: ProductId,
        #[diesel(sql_type = Text)]
        alt_mn: String,
        #[diesel(sql_type = Text)]
        alt_en: String,
        #[diesel(sql_type = Integer)]
        width: i32,
        #[diesel(sql_type = Integer)]
        height: i32,
        #[diesel(sql_type = Array<Integer>)]
        widths: Vec<i32>,
        #[diesel(sql_type = Array<Text>)]
        hashes: Vec<String>,
        #[diesel(sql_type = Array<Text>)]
        types: Vec<String>,
    }
    let ids: Vec<Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
    let rows: Vec<Row> = crate::db::prepared(
        "SELECT i.id, i.product_id, i.alt_mn, i.alt_en, i.width, i.height, \
                array_agg(f.width ORDER BY f.width) AS widths, \
                array_agg(f.hash ORDER BY f.width) AS hashes, array_agg(f.content_type ORDER BY f.width) AS types \
         FROM product_images i JOIN image_files f ON f.image_id = i.id \
         WHERE i.product_id = ANY($1) \
         GROUP BY i.id ORDER BY i.product_id, i.position, i.created_at",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ProductImage {
            files: r.widths.iter().zip(r.hashes.iter().zip(&r.types)).map(|(w, (h, t))| (*w, file_url(h, t))).collect(),
            id: r.id,
            product_id: r.product_id,
            alt: Localized { mn: r.alt_mn, en: r.alt_en },
            width: r.width,
            height: r.height,
        })
        .collect())
}

/// A stored file, as served.
pub struct Served {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The file named `hash` with its extension (`….jpg`, `….png`); `None` for any other name.
///
/// # Errors
/// A database failure.
pub fn file(conn: &mut PgConnection, name: &str) -> Result<Option<Served>, CatalogError> {
    let Some((hash, ext)) = name.split_once('.') else { return Ok(None) };
    let content_type = match ext {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        _ => return Ok(None),
    };
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Ok(None);
    }
    let bytes: Option<Vec<u8>> = image_files::table
        .filter(image_files::hash.eq(hash))
        .filter(image_files::content_type.eq(content_type))
        .select(image_files::bytes)
        .first(conn)
        .optional()?;
    Ok(bytes.map(|bytes| Served { content_type: content_type.to_string(), bytes }))
}

/// Staff add a checked picture to a product, last in its order, with its text for those who
/// cannot see it.
///
/// # Errors
/// `ProductNotFound`; `Invalid` on `alt.*` for a text too long, on `image` when the product
/// has [`MAX_PER_PRODUCT`] pictures already.
pub fn add(
    conn: &mut PgConnection,
    product: ProductId,
    image: &CheckedImage,
    alt_mn: &str,
    alt_en: &str,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<ProductImage, CatalogError> {
    let mut errors = FieldErrors::new();
    for (field, text) in [("alt.mn", alt_mn), ("alt.en", alt_en)] {
        if text.chars().count() > 200 {
            errors.add(field, FieldError::from(Code::TooLong).with("max", 200));
        }
    }
    conn.transaction(|conn| {
        // The product's row is the lock that keeps two uploads from passing the count together.
        let found: Option<ProductId> =
            products::table.find(product).select(products::id).for_update().first(conn).optional()?;
        if found.is_none() {
            return Err(CatalogError::ProductNotFound);
        }
        let count: i64 =
            product_images::table.filter(product_images::product_id.eq(product)).count().get_result(conn)?;
        if count >= MAX_PER_PRODUCT {
            errors.add("image", FieldError::from(Code::TooManyImages).with("max", MAX_PER_PRODUCT));
        }
        if !errors.is_empty() {
            return Err(CatalogError::Invalid(errors));
        }
        let id = Uuid::new_v4();
        let (w, h) = (i32::try_from(image.width).unwrap_or(i32::MAX), i32::try_from(image.height).unwrap_or(i32::MAX));
        diesel::insert_into(product_images::table)
            .values((
                product_images::id.eq(id),
                product_images::product_id.eq(product),
                product_images::position.eq(i32::try_from(count).unwrap_or(0)),
                product_images::alt_mn.eq(alt_mn.trim()),
                product_images::alt_en.eq(alt_en.trim()),
                product_images::width.eq(w),
                product_images::height.eq(h),
                product_images::created_by.eq(staff),
                product_images::created_at.eq(now),
            ))
            .execute(conn)?;
        for f in &image.files {
            diesel::insert_into(image_files::table)
                .values((
                    image_files::image_id.eq(id),
                    image_files::width.eq(i32::try_from(f.width).unwrap_or(i32::MAX)),
                    image_files::height.eq(i32::try_from(f.height).unwrap_or(i32::MAX)),
                    image_files::hash.eq(&f.hash),
                    image_files::content_type.eq(f.content_type),
                    image_files::bytes.eq(&f.bytes),
                ))
                .execute(conn)?;
        }
        let added = ProductImage {
            id,
            product_id: product,
            alt: Localized { mn: alt_mn.trim().to_string(), en: alt_en.trim().to_string() },
            width: w,
            height: h,
            files: image.files.iter().map(|f| (f.width as i32, file_url(&f.hash, f.content_type))).collect(),
        };
        let after = serde_json::json!({
            "image_id": id, "width": w, "height": h, "alt": {"mn": added.alt.mn, "en": added.alt.en},
            "files": image.files.iter().map(|f| file_name(&f.hash, f.content_type)).collect::<Vec<_>>(),
        });
        audit::record(conn, staff, AuditAction::ImageAdded, &Subject::new("product", product), None, Some(after), now)?;
        Ok(added)
    })
}

/// Staff take a picture off a product; its files go with it.
///
/// # Errors
/// `ProductNotFound` when the product has no such picture.
pub fn remove(
    conn: &mut PgConnection,
    product: ProductId,
    image: Uuid,
    staff: AccountId,
    now: DateTime<Utc>,
) -> Result<(), CatalogError> {
    conn.transaction(|conn| {
        let gone = diesel::delete(
            product_images::table.filter(product_images::id.eq(image)).filter(product_images::product_id.eq(product)),
        )
        .execute(conn)?;
        if gone == 0 {
            return Err(CatalogError::ProductNotFound);
        }
        let before = serde_json::json!({ "image_id": image });
        audit::record(
            conn,
            staff,
            AuditAction::ImageRemoved,
            &Subject::new("product", product),
            Some(before),
            None,
            now,
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90])));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn an_image_is_written_again_at_its_widths_and_anything_else_is_refused() {
        let checked = check(&png(1200, 800), "image").unwrap();
        let widths: Vec<u32> = checked.files.iter().map(|f| f.width).collect();
        assert_eq!(widths, [480, 960, 1200]);
        assert!(checked.files.iter().all(|f| f.content_type == "image/jpeg" && f.bytes.starts_with(&[0xFF, 0xD8])));
        assert_eq!(checked.files[0].height, 320);

        let code = |bytes: &[u8]| check(bytes, "image").unwrap_err().fields()["image"][0].code;
        assert_eq!(code(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Code::ImageFormat);
        assert_eq!(code(b"GIF89a......"), Code::ImageFormat);
        let mut truncated = png(400, 400);
        truncated.truncate(200);
        assert_eq!(code(&truncated), Code::ImageFormat, "a header alone is not an image");
        assert_eq!(code(&png(100, 400)), Code::ImageSize);
        assert_eq!(code(&vec![0x89; MAX_BYTES + 1]), Code::ImageTooBig);
        assert_eq!(code(b""), Code::Required);
    }
}

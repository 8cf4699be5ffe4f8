// Owns: encrypting the SIS password the way openSIS's UI does before login — base64 of
// salt | iv | AES-256-CBC(PKCS#7) ciphertext, key = PBKDF2(passphrase, salt). Must not: keep,
// log or return the plain password; the result is itself a replayable secret.

use aes::Aes256;
use base64::Engine;
use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use rand::RngCore;

use crate::config::{PasswordCryptoConfig, Pbkdf2Prf};
use crate::error::SisError;
use secrets::Secret;

const KEY_LEN: usize = 32;
const IV_LEN: usize = 16;

fn passphrase(config: &PasswordCryptoConfig) -> Result<&str, SisError> {
    config
        .passphrase
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or(SisError::ConfigIncomplete {
            field: "password_crypto.passphrase",
        })
}

fn derive_key(passphrase: &str, salt: &[u8], prf: Pbkdf2Prf, iterations: u32) -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    match prf {
        Pbkdf2Prf::HmacSha1 => {
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(passphrase.as_bytes(), salt, iterations, &mut key)
        }
        Pbkdf2Prf::HmacSha256 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), salt, iterations, &mut key)
        }
    }
    key
}

/// Encrypts the password with a fresh random salt and IV.
pub fn encrypt_password(
    password: &Secret,
    config: &PasswordCryptoConfig,
) -> Result<Secret, SisError> {
    let mut salt = vec![0u8; config.salt_len];
    let mut iv = [0u8; IV_LEN];
    let mut rng = rand::rngs::OsRng;
    rng.try_fill_bytes(&mut salt)
        .and_then(|()| rng.try_fill_bytes(&mut iv))
        .map_err(|e| SisError::Crypto {
            reason: format!("no random numbers from the system ({e})"),
        })?;
    encrypt_with(password, config, &salt, &iv)
}

/// Encrypts with a given salt and IV (known-answer tests; never reuse them for real).
pub(crate) fn encrypt_with(
    password: &Secret,
    config: &PasswordCryptoConfig,
    salt: &[u8],
    iv: &[u8; IV_LEN],
) -> Result<Secret, SisError> {
    if config.iterations == 0 {
        return Err(SisError::ConfigInvalid {
            reason: "password_crypto.iterations must be at least 1".into(),
        });
    }
    let key = derive_key(passphrase(config)?, salt, config.prf, config.iterations);
    let ciphertext = cbc::Encryptor::<Aes256>::new(&key.into(), iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(password.expose().as_bytes());
    let mut blob = Vec::with_capacity(salt.len() + IV_LEN + ciphertext.len());
    blob.extend_from_slice(salt);
    blob.extend_from_slice(iv);
    blob.extend_from_slice(&ciphertext);
    Ok(Secret::new(
        base64::engine::general_purpose::STANDARD.encode(blob),
    ))
}

/// Decrypts what [`encrypt_password`] produced (the fake openSIS does what the real one does).
pub fn decrypt_password(blob: &str, config: &PasswordCryptoConfig) -> Result<Secret, SisError> {
    let bad = |reason: &str| SisError::Crypto {
        reason: reason.to_owned(),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(blob.trim())
        .map_err(|_| bad("the encrypted password is not base64"))?;
    let header = config.salt_len + IV_LEN;
    if bytes.len() <= header || (bytes.len() - header) % 16 != 0 {
        return Err(bad("the encrypted password has the wrong length"));
    }
    let (salt, rest) = bytes.split_at(config.salt_len);
    let (iv, ciphertext) = rest.split_at(IV_LEN);
    let key = derive_key(
        passphrase(config)?,
        salt,
        config.prf,
        config.iterations.max(1),
    );
    let iv: [u8; IV_LEN] = iv
        .try_into()
        .map_err(|_| bad("the encrypted password has the wrong length"))?;
    let plain = cbc::Decryptor::<Aes256>::new(&key.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map_err(|_| bad("the password does not decrypt with this passphrase"))?;
    String::from_utf8(plain)
        .map(Secret::new)
        .map_err(|_| bad("the password does not decrypt with this passphrase"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(passphrase: &str, prf: Pbkdf2Prf, iterations: u32) -> PasswordCryptoConfig {
        PasswordCryptoConfig {
            passphrase: Some(passphrase.into()),
            prf,
            iterations,
            salt_len: 16,
        }
    }

    #[test]
    fn pbkdf2_matches_published_vectors() {
        // RFC 6070: P="password", S="salt", c=1 → 0c60c80f961f0e71f3a9b524af6012062fe037a6 (20 bytes).
        let k = derive_key("password", b"salt", Pbkdf2Prf::HmacSha1, 1);
        assert_eq!(
            hex::encode(&k[..20]),
            "0c60c80f961f0e71f3a9b524af6012062fe037a6"
        );
        // RFC 6070: c=2 → ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957.
        let k = derive_key("password", b"salt", Pbkdf2Prf::HmacSha1, 2);
        assert_eq!(
            hex::encode(&k[..20]),
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
        );
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1 (first 32 of 64 bytes).
        let k = derive_key("passwd", b"salt", Pbkdf2Prf::HmacSha256, 1);
        assert_eq!(
            hex::encode(k),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn aes_256_cbc_matches_nist_and_the_blob_is_salt_iv_ciphertext() {
        // NIST SP 800-38A F.2.5, first block, with the key given directly.
        let key: [u8; 32] =
            hex::decode("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
                .unwrap()
                .try_into()
                .unwrap();
        let iv: [u8; 16] = hex::decode("000102030405060708090a0b0c0d0e0f")
            .unwrap()
            .try_into()
            .unwrap();
        let plain = hex::decode("6bc1bee22e409f96e93d7e117393172a").unwrap();
        let ct = cbc::Encryptor::<Aes256>::new(&key.into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(&plain);
        assert_eq!(ct.len(), 32, "a full block of PKCS#7 padding follows");
        assert_eq!(hex::encode(&ct[..16]), "f58c4c04d6e5f1ba779eabfb5f7bfbd6");

        let cfg = config("opensis-ui-passphrase", Pbkdf2Prf::HmacSha1, 100);
        let salt = [7u8; 16];
        let blob = encrypt_with(&Secret::new("Sup3r-Secret!"), &cfg, &salt, &iv).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(blob.expose())
            .unwrap();
        assert_eq!(&bytes[..16], &salt);
        assert_eq!(&bytes[16..32], &iv);
        let key = derive_key("opensis-ui-passphrase", &salt, Pbkdf2Prf::HmacSha1, 100);
        let expected = cbc::Encryptor::<Aes256>::new(&key.into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(b"Sup3r-Secret!");
        assert_eq!(&bytes[32..], &expected[..]);
    }

    #[test]
    fn round_trip_with_random_salt_and_wrong_passphrase_fails() {
        for prf in [Pbkdf2Prf::HmacSha1, Pbkdf2Prf::HmacSha256] {
            let cfg = config("pp", prf, 100);
            let pw = Secret::new("pässwörd with spaces");
            let a = encrypt_password(&pw, &cfg).unwrap();
            let b = encrypt_password(&pw, &cfg).unwrap();
            assert_ne!(a, b, "fresh salt and IV each time");
            assert!(!a.expose().contains("pässwörd"));
            assert_eq!(decrypt_password(a.expose(), &cfg).unwrap(), pw);
            let other = config("other", prf, 100);
            assert!(decrypt_password(a.expose(), &other)
                .map(|p| p != pw)
                .unwrap_or(true));
        }
        assert_eq!(
            decrypt_password("!!", &config("pp", Pbkdf2Prf::HmacSha1, 1))
                .unwrap_err()
                .code(),
            "crypto_failed"
        );
        let no_pass = PasswordCryptoConfig::default();
        assert_eq!(
            encrypt_password(&Secret::new("x"), &no_pass).unwrap_err(),
            SisError::ConfigIncomplete {
                field: "password_crypto.passphrase"
            }
        );
    }
}

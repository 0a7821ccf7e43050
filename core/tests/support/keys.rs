//! Keys for the tests under every crypto provider.
//!
//! `generate` is `SigningKey::generate` where the provider can; under ring,
//! which refuses RSA key generation and P-521 with `PROVIDER_UNSUPPORTED`,
//! it checks that refusal and then brings an RSA key made by aws-lc-rs (as an
//! operator brings one made elsewhere), or gives `None` for P-521.

use jwtauth::{Algorithm, ErrorCode, KeyType, SigningKey};

#[allow(dead_code, reason = "not every test file uses it")]
pub fn generate(alg: Algorithm) -> Option<SigningKey> {
    match SigningKey::generate(alg) {
        Ok(k) => Some(k),
        Err(e) => {
            assert_eq!(
                (jwtauth::provider(), e.code()),
                ("ring", ErrorCode::ProviderUnsupported),
                "{alg}: {e}"
            );
            if KeyType::from_alg(alg) != KeyType::Rsa {
                assert_eq!(alg, Algorithm::ES512, "ring refuses only P-521 and RSA generation");
                return None;
            }
            let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
            let der = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'_>>::as_der(&kp).unwrap();
            Some(SigningKey::from_pkcs8_der(der.as_ref()).unwrap().with_alg(alg).unwrap())
        }
    }
}

/**
 * The keys of a bundle: the user's certificate and private key (checked to belong together, so a
 * mismatch fails before minutes of gzip rather than at the user's first attempt to decrypt), and the
 * random AES key and IV wrapped for EC2 and for the user.
 */
import {
  X509Certificate,
  constants,
  createPrivateKey,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

export interface UserKeys {
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
}

export function loadUserKeys(certificatePem: string, privateKeyPem: string): UserKeys {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (err) {
    throw new Error(`the user certificate is not a PEM X.509 certificate (${(err as Error).message})`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new Error(`the user private key is not a PEM private key (${(err as Error).message})`);
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa')
    throw new Error('the user certificate must hold an RSA key (the manifest format wraps keys with RSA)');
  if (!certificate.checkPrivateKey(privateKey))
    throw new Error('the user private key does not belong to the user certificate');
  return { certificate, privateKey };
}

/** 128 random bits each; the manifest wraps them as 32-character lowercase hex text. */
export function randomCipherKey(): { key: Buffer; iv: Buffer } {
  return { key: randomBytes(16), iv: randomBytes(16) };
}

/** RSA PKCS#1 v1.5 encryption of the ASCII-hex form of `secret`, hex-encoded (`openssl rsautl -pkcs`). */
export function wrapForCertificate(secret: Buffer, certificate: X509Certificate): string {
  const wrapped = publicEncrypt(
    { key: certificate.publicKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(secret.toString('hex'), 'ascii'),
  );
  return wrapped.toString('hex');
}

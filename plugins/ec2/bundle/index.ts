/** Instance-store (S3) bundles: the writer, its manifest, the EC2 certificates. */
export {
  writeBundle,
  removeBundleFiles,
  normalizeUserId,
  EC2_PART_SIZE,
  EC2_MAX_IMAGE_BYTES,
} from './write-bundle.js';
export type { Bundle, BundleOptions } from './write-bundle.js';
export { partFilename, type BundlePart } from './part-writer.js';
export { ec2CertificatePem, ec2CertificateFile } from './ec2-certificates.js';
export { loadUserKeys } from './bundle-keys.js';
export { DEFAULT_BLOCK_DEVICE_MAPPING, type BlockDeviceMapping } from './manifest-xml.js';
export { unbundle, localBundleSource, UnbundleError, MAX_PART_BYTES } from './read-bundle.js';
export type { BundleSource, UnbundleOptions, UnbundleResult } from './read-bundle.js';
export { openBundleSource, type OpenedBundleSource } from './open-bundle-source.js';
export { parseBundleManifest, type ParsedManifest } from './parse-manifest.js';

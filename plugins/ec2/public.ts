/**
 * What the ec2 family offers its sibling plugins (ec2_launch, ec2_publish): the AWS context of a
 * build, clients, polling, tags, the registered image and its errors; and to the CLI, the bundle reader
 * of `bootstrap unbundle`. Siblings and src/cli import this file only
 * (eslint's layers rule refuses plugins/ec2/aws/... from another plugin), so plugins/ec2 can
 * reorganise its private files without breaking them.
 */
export { awsErrorText, isGone } from './aws/aws-errors.js';
export { openBundleSource } from './bundle/open-bundle-source.js';
export { unbundle, UnbundleError, type UnbundleResult } from './bundle/read-bundle.js';
export { cleanupClients, closeCleanupClients } from './aws/cleanup-clients.js';
export { createAwsClients, type AwsClients } from './aws/clients.js';
export { AWS, awsFor, clientSettings } from './aws/context.js';
export { pollUntil } from './aws/poll.js';
export { deregisterRootImage } from './aws/register-image.js';
export { REGISTERED_IMAGE } from './aws/state.js';
export { resourceTags, tagSpecification } from './aws/tags.js';

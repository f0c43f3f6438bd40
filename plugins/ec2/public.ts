/**
 * What the ec2 family offers its sibling plugins (ec2_launch, ec2_publish): the AWS context of a
 * build, clients, polling, tags, the registered image and its errors. Siblings import this file only
 * (eslint's layers rule refuses plugins/ec2/aws/... from another plugin), so plugins/ec2 can
 * reorganise its private files without breaking them.
 */
export { awsErrorText, isGone } from './aws/aws-errors.js';
export { cleanupClients, closeCleanupClients } from './aws/cleanup-clients.js';
export { createAwsClients, type AwsClients } from './aws/clients.js';
export { AWS, awsFor, clientSettings } from './aws/context.js';
export { pollUntil } from './aws/poll.js';
export { deregisterRootImage } from './aws/register-image.js';
export { REGISTERED_IMAGE } from './aws/state.js';
export { resourceTags, tagSpecification } from './aws/tags.js';

// Secret rotation (spec A.4): a rotation function for tokens whose backend can rotate them, and
// reminders before the expiry of those it cannot.
export { ROTATION_SECRET_ACTIONS, RotationKind, ServerSecretRotation, rotationAssetPath } from './secret-rotation';
export type { ServerSecretRotationProps } from './secret-rotation';
export { SecretExpiryReminder } from './secret-expiry';
export type { SecretExpiryReminderProps } from './secret-expiry';

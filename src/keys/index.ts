export { installSubjectKeys, subjectKeysOf } from './connection-keys.js';
export { encryptOnWrite, type EncryptOnWriteOptions } from './encrypt-on-write.js';
export { CIPHERTEXT_PREFIX, decryptField, encryptedMaxLength, encryptField, isCiphertext, type FieldPlace } from './field-cipher.js';
export { localKeyService, MASTER_KEY_BYTES, type KeyService } from './key-service.js';
export { masterKeyFor, parseMasterKey } from './master-key.js';
export { openContent, type ContentContext, type EncryptedRecord } from './open-content.js';
export { refOf, SubjectKeyStore, type SubjectKey, type SubjectKeyStoreOptions } from './subject-key-store.js';
export { subjectKeyModel, type SubjectKeyDoc } from './subject-key.model.js';

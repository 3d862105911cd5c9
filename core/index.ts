/** core/: the primitives every module shares: errors, logging, signing, the one EIP-712 Agreement. */
export {
  AGREEMENT_FIELDS,
  AGREEMENT_TYPE,
  type Agreement,
  type AgreementField,
  type AgreementFieldDefinition,
  type AgreementMismatch,
  AgreementSchema,
  AgreementSignatureError,
  type ArbiterDomain,
  agreementMismatch,
  agreementToJson,
  agreementTypes,
  amountDue,
  buildAgreement,
  DOMAIN_NAME,
  DOMAIN_VERSION,
  eip712Domain,
  hashAgreement,
  signAgreement,
  verifyAgreementSignature,
  withDefaults,
} from "./agreement.ts";
export { BaseError, type BaseErrorParameters } from "./errors.ts";
export {
  type CreateLoggerParameters,
  createLogger,
  createMemoryLogger,
  type LogFields,
  type Logger,
  type LogLevel,
} from "./log.ts";
export { address, bytes32, MAX_UINT256, signature, smallUint, toJson, uint } from "./schema.ts";
export { createSigner, InvalidSignatureFormatError, recoverDigest, type Signer } from "./signer.ts";

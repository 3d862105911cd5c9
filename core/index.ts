/** core/: the primitives every module shares: errors, logging, signing, the one EIP-712 Agreement. */
export {
  AGREEMENT_TYPE,
  type Agreement,
  AgreementSchema,
  AgreementSignatureError,
  type ArbiterDomain,
  agreementToJson,
  agreementTypes,
  amountDue,
  DOMAIN_NAME,
  DOMAIN_VERSION,
  eip712Domain,
  hashAgreement,
  signAgreement,
  verifyAgreementSignature,
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

// Certificates for SPIRE's CA, SVIDs and test TLS: P-256 ECDSA over node's WebCrypto via @peculiar/x509.
export { type Ca, type CaOptions, type IssuedLeaf, type KeyUsage, type LeafOptions, createCa, issueKeyAndCert } from './ca.js';
export { type CsrOptions, type ParsedCsr, type SignCsrOptions, type SignedCsr, createCsr, parseCsr, signCsr } from './csr.js';
export { concatDer, splitDerSequences } from './der.js';
export { type PemLabel, derToPem, dersToPem, pemToDer, pemToDers } from './pem.js';
export { type CryptoKey, type CryptoKeyPair, generateKeyPair, exportPkcs8, x509 } from './webcrypto.js';

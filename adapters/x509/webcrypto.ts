// @peculiar/x509 signs and verifies through a WebCrypto provider; node's own implements P-256 ECDSA.
// @peculiar/x509 registers its providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const crypto = webcrypto;
// `as never`: node's webcrypto types and the DOM `Crypto` type @peculiar/x509 names differ only in typing.
x509.cryptoProvider.set(webcrypto as never);

/** The one key and signature algorithm this project uses (SPIRE's default key type is EC P-256). */
export const keyAlgorithm: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
export const signingAlgorithm: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

/** PKCS#8 DER of a private key, usable by node:tls once wrapped as PEM. */
export async function exportPkcs8(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('pkcs8', key));
}

export { x509 };

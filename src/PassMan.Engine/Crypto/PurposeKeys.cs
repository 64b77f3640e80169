using System;
using System.Security.Cryptography;
using System.Text;

namespace PassMan.Crypto;

/// <summary>
/// Keys for one purpose each (the audit chain, the no-reuse rule), derived with HKDF-SHA256 from
/// a data key, so that none of them can stand in for another or for the data key itself.
/// </summary>
internal static class PurposeKeys
{
    public const int Length = 32;

    public static SecretBuffer Derive(KeyRing keys, Guid vaultId, Guid keyId, string purpose)
    {
        var dataKey = keys.Find(keyId) ?? throw new PassManException(
            ErrorIds.VaultCorrupt,
            PassManErrorKind.InvalidData,
            $"The vault names a data key for {purpose} that it does not hold.");
        var key = new SecretBuffer(Length);
        var info = Encoding.ASCII.GetBytes(purpose);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey.Bytes, key.Span, vaultId.ToByteArray(), info);
        return key;
    }
}

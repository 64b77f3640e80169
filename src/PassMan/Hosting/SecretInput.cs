using System;
using System.Security;
using System.Text;
using PassMan.Crypto;
using PassMan.Model;

namespace PassMan.Commands.Hosting;

/// <summary>
/// A password or PIN given by the caller, checked the same way by every cmdlet: not empty, no NUL,
/// CR or LF, and digits only for a PIN. Returned as UTF-8 in a buffer that is cleared on dispose.
/// </summary>
internal static class SecretInput
{
    public static SecretBuffer ToUtf8(SecureString value, CredentialType type, string parameter) =>
        SecureStrings.Use(value, chars =>
        {
            if (chars.IsEmpty || chars.IndexOfAny('\0', '\r', '\n') >= 0)
            {
                throw new PassManException(
                    ErrorIds.InvalidArgument,
                    PassManErrorKind.InvalidArgument,
                    $"A {type} cannot be empty or hold NUL, CR or LF.",
                    parameter);
            }

            if (type == CredentialType.Pin && chars.IndexOfAnyExceptInRange('0', '9') >= 0)
            {
                throw new PassManException(
                    ErrorIds.InvalidArgument,
                    PassManErrorKind.InvalidArgument,
                    "A PIN holds digits only.",
                    parameter);
            }

            var buffer = new SecretBuffer(Encoding.UTF8.GetByteCount(chars));
            Encoding.UTF8.GetBytes(chars, buffer.Span);
            return buffer;
        });
}

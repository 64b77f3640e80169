using System;
using System.Runtime.InteropServices;
using System.Security;

namespace PassMan.Commands.Hosting;

/// <summary>A function that sees a secret as characters for the duration of one call.</summary>
internal delegate TResult SecretFunc<TResult>(ReadOnlySpan<char> secret);

/// <summary>
/// Hands the characters of a <see cref="SecureString"/> to the engine without a managed string:
/// they are copied to unmanaged memory, read through a span, and zeroed when the call returns.
/// </summary>
internal static unsafe class SecureStrings
{
    public static TResult Use<TResult>(SecureString secret, SecretFunc<TResult> use)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return use(new ReadOnlySpan<char>((char*)pointer, secret.Length));
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    public static void Use(SecureString secret, SecretAction use) => Use(secret, span =>
    {
        use(span);
        return true;
    });

    public static bool AreEqual(SecureString left, SecureString right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        var first = Marshal.SecureStringToGlobalAllocUnicode(left);
        try
        {
            var second = Marshal.SecureStringToGlobalAllocUnicode(right);
            try
            {
                return new ReadOnlySpan<char>((char*)first, left.Length)
                    .SequenceEqual(new ReadOnlySpan<char>((char*)second, right.Length));
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(second);
            }
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(first);
        }
    }
}

/// <summary>An action that sees a secret as characters for the duration of one call.</summary>
internal delegate void SecretAction(ReadOnlySpan<char> secret);

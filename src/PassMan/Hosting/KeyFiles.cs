using System;
using System.IO;
using System.Security;
using PassMan.Crypto;
using PassMan.Keys;

namespace PassMan.Commands.Hosting;

/// <summary>Reads private key files for the cmdlets that take -PrivateKeyPath and -KeyPassphrase.</summary>
internal static class KeyFiles
{
    /// <summary>
    /// Reads the key in a file, decrypting it with <paramref name="passphrase"/> when one is given.
    /// The reader sees bytes only; an error about them is about this file, and names it as its target.
    /// </summary>
    public static SshKey ReadKey(string path, SecureString? passphrase)
    {
        using var bytes = Read(path);
        try
        {
            return passphrase is null
                ? SshKeyReader.Read(bytes.Span, default)
                : SecureStrings.Use(passphrase, phrase => SshKeyReader.Read(bytes.Span, phrase));
        }
        catch (PassManException e) when (e.Target is null)
        {
            throw new PassManException(e.ErrorId, e.Kind, e.Message, path, e.InnerException);
        }
    }

    /// <summary>Reads a private key file into a buffer that is cleared after use.</summary>
    public static SecretBuffer Read(string path)
    {
        var bytes = FileAccessErrors.Guard(path, "read the private key file", () => File.ReadAllBytes(path));
        try
        {
            return new SecretBuffer(bytes);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }
}

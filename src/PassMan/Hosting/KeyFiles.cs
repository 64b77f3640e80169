using System;
using System.IO;
using PassMan.Crypto;

namespace PassMan.Commands.Hosting;

/// <summary>Reads a private key file into a buffer that is cleared after use.</summary>
internal static class KeyFiles
{
    public static SecretBuffer Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PassManException(
                ErrorIds.InvalidPath,
                PassManErrorKind.InvalidArgument,
                $"Cannot read the private key file '{path}': {e.Message}",
                path,
                e);
        }

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

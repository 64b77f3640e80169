using System;
using System.IO;
using PassMan.Keys;

namespace PassMan.Tests;

/// <summary>A fresh folder for one test, with a space in its path, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "passman tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes the key as an OpenSSH private key file of mode 0600, as ssh and ssh-keygen ask.</summary>
    public string WritePrivateKey(SshKey key)
    {
        var path = File(Guid.NewGuid().ToString("N"));
        using var bytes = key.ToOpenSshPrivateKey();
        using (var stream = OwnerOnlyFiles.CreateNew(path))
        {
            stream.Write(bytes.Span);
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere; the temp folder is cleaned by the system in the end.
        }
    }
}

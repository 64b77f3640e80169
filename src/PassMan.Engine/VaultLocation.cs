using System;
using System.IO;

namespace PassMan;

/// <summary>Where a vault lives when the caller does not say.</summary>
public static class VaultLocation
{
    /// <summary>The environment variable that names the vault for a whole session or runbook.</summary>
    public const string EnvironmentVariable = "PASSMAN_VAULT";

    /// <summary>The file name of the per-user default vault.</summary>
    public const string DefaultFileName = "vault.db";

    /// <summary>
    /// The per-user default: <c>$XDG_DATA_HOME/PassMan/vault.db</c> (or <c>~/.local/share/...</c>)
    /// on Linux and macOS, <c>%LOCALAPPDATA%\PassMan\vault.db</c> on Windows.
    /// </summary>
    public static string DefaultPath
    {
        get
        {
            string dataFolder;
            if (OperatingSystem.IsWindows())
            {
                dataFolder = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            }
            else
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
                dataFolder = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                    ? xdg
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            }

            return Path.Combine(dataFolder, "PassMan", DefaultFileName);
        }
    }

    /// <summary>The path from <see cref="EnvironmentVariable"/>, or the per-user default.</summary>
    public static string FromEnvironment()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultPath : FullPath(fromEnvironment);
    }

    /// <summary>The default key file of a vault: the vault's path with ".key" added.</summary>
    public static string DefaultKeyFilePath(string vaultPath) => vaultPath + ".key";

    /// <summary>Whether two full paths name the same file, by the platform's rule for case.</summary>
    public static bool SamePath(string left, string right) => string.Equals(
        left,
        right,
        OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Makes a path absolute; fails with InvalidPath if it cannot name a file.</summary>
    public static string FullPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0)
        {
            throw InvalidPath(path, "it is empty or holds control characters");
        }

        try
        {
            var full = Path.GetFullPath(path);
            if (Path.EndsInDirectorySeparator(full) || Directory.Exists(full))
            {
                throw InvalidPath(path, "it names a folder, not a file");
            }

            return full;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw InvalidPath(path, e.Message);
        }
    }

    private static PassManException InvalidPath(string path, string reason) => new(
        ErrorIds.InvalidPath,
        PassManErrorKind.InvalidArgument,
        $"'{path}' cannot be used as a file path: {reason}.",
        path);
}

using System;
using System.IO;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace PassMan;

/// <summary>
/// Folders and files that only their owner may read or write. On Unix the mode is set when the
/// file is created, never by a chmod afterwards, so there is no moment in which others could open
/// it; on Windows the same holds for an access list that grants the current user alone.
/// </summary>
public static class OwnerOnlyFiles
{
    private const UnixFileMode FolderMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OthersBits =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the folder and missing parents, owner-only; existing ones stay as they are.</summary>
    public static void CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            CreateDirectoryWindows(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>Creates a new file (failing if it exists) that only the current user can open.</summary>
    public static FileStream CreateNew(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return CreateNewWindows(path);
        }

        return new FileStream(path, new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = FileMode,
        });
    }

    /// <summary>Whether group and others have no access to the file or folder (always true on Windows).</summary>
    public static bool IsOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // The access list is set by CreateNew; reading it back needs rules this check does not model.
            return true;
        }

        return (File.GetUnixFileMode(path) & OthersBits) == 0;
    }

    [SupportedOSPlatform("windows")]
    private static void CreateDirectoryWindows(string path)
    {
        var security = new DirectorySecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(new FileSystemAccessRule(
            CurrentUser(),
            FileSystemRights.FullControl,
            InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
            PropagationFlags.None,
            AccessControlType.Allow));
        new DirectoryInfo(path).Create(security);
    }

    [SupportedOSPlatform("windows")]
    private static FileStream CreateNewWindows(string path)
    {
        var security = new FileSecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        security.AddAccessRule(
            new FileSystemAccessRule(CurrentUser(), FileSystemRights.FullControl, AccessControlType.Allow));
        return new FileInfo(path).Create(
            System.IO.FileMode.CreateNew,
            FileSystemRights.Write | FileSystemRights.ReadData,
            FileShare.None,
            bufferSize: 4096,
            FileOptions.None,
            security);
    }

    [SupportedOSPlatform("windows")]
    private static SecurityIdentifier CurrentUser()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return identity.User
            ?? throw new InvalidOperationException("The current Windows user has no security identifier.");
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;

namespace PassMan.Linux;

/// <summary>One of the paths OpenSSH's StrictModes checks before it trusts an authorized_keys file.</summary>
/// <param name="Path">The full path on the target.</param>
/// <param name="Exists">Whether it exists; false also when it cannot be seen.</param>
/// <param name="Owner">Its owner's user name; null when it cannot be seen.</param>
/// <param name="Group">Its group's name; null when it cannot be seen.</param>
/// <param name="Mode">Its permission bits; null when it cannot be seen.</param>
/// <param name="Kind">What stat calls it: "directory", "regular file"...; null when it cannot be seen.</param>
public sealed record PathState(string Path, bool Exists, string? Owner, string? Group, int? Mode, string? Kind)
{
    /// <summary>Whether group or others may write to it.</summary>
    public bool WritableByOthers => Mode is { } mode && (mode & 0b000_010_010) != 0;

    /// <summary>The mode as ls and chmod write it, e.g. 0755.</summary>
    public string ModeText => Mode is { } mode ? "0" + Convert.ToString(mode, 8) : "unknown";
}

/// <summary>A breach of the ownership rule, with what fixes it.</summary>
/// <param name="Reason">What is wrong, for an admin.</param>
/// <param name="Fix">The exact command that fixes it, run as root on the target.</param>
/// <param name="Repairable">Whether PassMan repairs it itself through a reconcile account.</param>
public sealed record OwnershipProblem(string Reason, string Fix, bool Repairable);

/// <summary>
/// The rule OpenSSH's StrictModes applies, which PassMan checks before it relies on a key: the
/// home folder belongs to the user or root, <c>~/.ssh</c> and <c>authorized_keys</c> belong to the
/// user, and none of them may be written by group or others. A <c>~/.ssh</c> or an
/// <c>authorized_keys</c> that breaks it is repaired through a reconcile account; a home folder
/// is never changed by PassMan, since other things depend on it.
/// </summary>
public static class SshDirectoryRule
{
    /// <summary>
    /// Every breach of the rule in <paramref name="home"/>, <paramref name="sshDirectory"/> and
    /// <paramref name="file"/>, for <paramref name="userName"/>.
    /// </summary>
    public static IReadOnlyList<OwnershipProblem> Check(
        string userName,
        PathState home,
        PathState sshDirectory,
        PathState file)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(sshDirectory);
        ArgumentNullException.ThrowIfNull(file);
        var problems = new List<OwnershipProblem>();
        var user = LinuxAuthorizedKeys.Word(userName);
        var homePath = LinuxAuthorizedKeys.Word(home.Path);
        var sshPath = LinuxAuthorizedKeys.Word(sshDirectory.Path);
        var filePath = LinuxAuthorizedKeys.Word(file.Path);
        if (!home.Exists)
        {
            problems.Add(new($"the home folder {home.Path} does not exist", $"mkhomedir_helper {user}", false));
            return problems;
        }

        if (home.Owner != userName && home.Owner != "root")
        {
            problems.Add(new(
                $"the home folder {home.Path} belongs to {home.Owner}, not to {userName} or root",
                $"chown {user} {homePath}",
                false));
        }

        if (home.WritableByOthers)
        {
            problems.Add(new(
                $"the home folder {home.Path} is writable by group or others (mode {home.ModeText})",
                $"chmod go-w {homePath}",
                false));
        }

        if (sshDirectory.Kind is { } kind && kind != "directory")
        {
            // A link (or anything else) where ~/.ssh should be is never followed or repaired.
            problems.Add(new(
                $"{sshDirectory.Path} is a {kind}, not a folder",
                $"rm {sshPath} && install -d -m 700 -o {user} {sshPath}",
                false));
            return problems;
        }

        if (sshDirectory.Exists || sshDirectory.Owner is not null)
        {
            if (sshDirectory.Owner != userName)
            {
                problems.Add(new(
                    $"{sshDirectory.Path} belongs to {sshDirectory.Owner ?? "another user (it cannot be read)"}, "
                        + $"not to {userName}",
                    $"chown {user}: {sshPath} && chmod 700 {sshPath}",
                    true));
            }
            else if (sshDirectory.WritableByOthers)
            {
                problems.Add(new(
                    $"{sshDirectory.Path} is writable by group or others (mode {sshDirectory.ModeText})",
                    $"chmod 700 {sshPath}",
                    true));
            }
        }

        if (file.Kind is { } fileKind && !fileKind.StartsWith("regular", StringComparison.Ordinal))
        {
            problems.Add(new($"{file.Path} is a {fileKind}, not a file", $"rm {filePath}", false));
        }
        else if (file.Exists && file.Owner != userName)
        {
            // Not repaired as root: a file in a folder the user controls is no place for root to
            // write. (A file of the user's that others may write is replaced, mode 0600, by the edit.)
            problems.Add(new(
                $"{file.Path} belongs to {file.Owner}, not to {userName}",
                $"chown {user}: {filePath} && chmod 600 {filePath}",
                false));
        }

        return problems;
    }

    /// <summary>Reads one line of the inspection script: "owner group mode kind", or "-" when unseen.</summary>
    internal static PathState Parse(string path, string line)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 4 || parts[0] == "-")
        {
            return new PathState(path, Exists: false, null, null, null, null);
        }

        var mode = int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? Convert.ToInt32(parts[2], 8)
            : (int?)null;
        return new PathState(path, true, parts[0], parts[1], mode, parts[3]);
    }
}

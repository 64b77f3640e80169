using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PassMan.Crypto;
using PassMan.Ssh;

namespace PassMan.Linux;

/// <summary>
/// How PassMan reaches a user's authorized_keys: logged in as the user itself, or as a reconcile
/// account that becomes root with sudo (and then sets owner and mode itself). The caller keeps
/// the session and the sudo password alive while the access is used.
/// </summary>
/// <param name="Session">The logged-in session.</param>
/// <param name="UserName">The user whose authorized_keys it is.</param>
/// <param name="ReconcileUserName">The reconcile account the session is logged in as; null for the user itself.</param>
/// <param name="SudoPassword">The reconcile account's password, for sudo's prompt.</param>
public sealed record KeyFileAccess(
    SshSession Session,
    string UserName,
    string? ReconcileUserName = null,
    SecretBuffer? SudoPassword = null)
{
    /// <summary>Whether the work runs as root through the reconcile account.</summary>
    public bool AsRoot => ReconcileUserName is not null;

    /// <summary>The account, as messages name it.</summary>
    public string Account => $"{Session.Endpoint.TargetName}/{UserName}";
}

/// <summary>What an inspection found: the paths StrictModes checks, and the file's content.</summary>
/// <param name="Home">The user's home folder.</param>
/// <param name="SshDirectory">~/.ssh.</param>
/// <param name="File">~/.ssh/authorized_keys.</param>
/// <param name="Content">The file's bytes; empty when it does not exist; null when it cannot be read.</param>
/// <param name="Hash">SHA-256 of the content, or "none" when the file does not exist; a write checks it.</param>
public sealed record KeyFileState(PathState Home, PathState SshDirectory, PathState File, byte[]? Content, string Hash);

/// <summary>
/// Reads and writes a user's ~/.ssh/authorized_keys on a Linux target. A write goes to a temporary
/// file in the same folder, mode 0600 and owned by the user, which then replaces the file in one
/// rename, and only if the file is still what the inspection read: an edit made meanwhile by
/// someone else is never overwritten. Public keys are not secret, but they too travel on standard
/// input, as base64, so that every byte arrives as it was.
/// </summary>
public static class LinuxAuthorizedKeys
{
    /// <summary>Stats the home folder, ~/.ssh and authorized_keys, and reads the file when it can.</summary>
    public static KeyFileState Inspect(KeyFileAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        var marker = NewMarker();
        var script = $$"""
            u={{Quote(LinuxAccounts.RequireUserName(access.UserName))}}
            home=$(getent passwd "$u" | cut -d: -f6)
            [ -n "$home" ] || { echo '{{marker}}NOUSER'; exit 3; }
            echo "{{marker}}HOME $home"
            for p in "$home" "$home/.ssh" "$home/.ssh/authorized_keys"; do
                if s=$(stat -c '%U %G %a %F' -- "$p" 2>/dev/null); then echo "{{marker}}STAT $s"
                else echo '{{marker}}STAT -'; fi
            done
            f="$home/.ssh/authorized_keys"
            if [ -r "$f" ]; then
                echo "{{marker}}SUM $(sha256sum < "$f" | cut -c1-64)"
                echo "{{marker}}DATA $(base64 -w0 < "$f")"
            elif [ -e "$f" ]; then echo '{{marker}}UNREADABLE'
            else echo '{{marker}}SUM none'; fi
            """;
        var output = Run(access, script, input: null, "reading authorized_keys");
        var lines = Values(output, marker);
        if (lines.ContainsKey("NOUSER"))
        {
            throw new PassManException(
                ErrorIds.TargetCommandFailed,
                PassManErrorKind.NotFound,
                $"{access.Account}: the target has no user {access.UserName}.",
                access.Account);
        }

        var home = Required(lines, "HOME", access);
        var stats = lines.TryGetValue("STAT", out var all) ? all.Split('\n') : [];
        if (stats.Length != 3)
        {
            throw Unexpected(access, "reading authorized_keys", output);
        }

        var state = new KeyFileState(
            SshDirectoryRule.Parse(home, stats[0]),
            SshDirectoryRule.Parse($"{home}/.ssh", stats[1]),
            SshDirectoryRule.Parse($"{home}/.ssh/authorized_keys", stats[2]),
            null,
            "unknown");
        if (lines.ContainsKey("UNREADABLE") || !lines.TryGetValue("SUM", out var sum))
        {
            return state;
        }

        var content = sum == "none" ? [] : Convert.FromBase64String(lines.GetValueOrDefault("DATA", string.Empty));
        if (sum != "none" && sum != Hash(content))
        {
            throw Unexpected(access, "reading authorized_keys", output);
        }

        return state with { Content = content, Hash = sum };
    }

    /// <summary>
    /// Repairs what the ownership rule allows PassMan to repair: a ~/.ssh that another user (root,
    /// typically) owns gets the user as owner, then mode 0700. Root does only the one chown, with
    /// -h and on a real directory (never through a link); the chmod runs as the user. The home
    /// folder and the files in ~/.ssh are never touched as root.
    /// </summary>
    public static void Repair(KeyFileAccess access, KeyFileState state)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(state);
        if (!access.AsRoot)
        {
            throw new ArgumentException("Repairs run through a reconcile account.", nameof(access));
        }

        var marker = NewMarker();
        var owner = $$"""
            u={{Quote(access.UserName)}}
            d={{Quote(state.SshDirectory.Path)}}
            if [ -d "$d" ] && [ ! -L "$d" ]; then chown -h -- "$u": "$d" || exit 96; fi
            echo '{{marker}}OWNED'
            """;
        var owned = RunRooted(access, "bash -c " + Quote(owner), null, "repairing ~/.ssh");
        if (!Values(owned, marker).ContainsKey("OWNED"))
        {
            throw Unexpected(access, "repairing ~/.ssh", string.Empty);
        }

        var mode = $$"""
            d={{Quote(state.SshDirectory.Path)}}
            [ -d "$d" ] && [ ! -L "$d" ] && chmod 700 -- "$d" && echo '{{marker}}REPAIRED'
            """;
        if (!Values(Run(access, mode, input: null, "repairing ~/.ssh"), marker).ContainsKey("REPAIRED"))
        {
            throw Unexpected(access, "repairing ~/.ssh", string.Empty);
        }
    }

    /// <summary>
    /// Replaces the file with <paramref name="content"/>, creating ~/.ssh (mode 0700, the user's)
    /// when it is missing. Fails with TargetCommandFailed when the file changed since
    /// <paramref name="before"/> was read. Returns the state after the write.
    /// </summary>
    public static KeyFileState Write(KeyFileAccess access, KeyFileState before, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(content);
        var marker = NewMarker();
        var script = $$"""
            u={{Quote(access.UserName)}}
            d={{Quote(before.SshDirectory.Path)}}
            f={{Quote(before.File.Path)}}
            if [ -L "$d" ] || [ -L "$f" ]; then echo '{{marker}}LINK'; exit 0; fi
            if [ ! -d "$d" ]; then mkdir -m 700 -- "$d" || exit 93; fi
            if [ -e "$f" ]; then current=$(sha256sum < "$f" | cut -c1-64); else current=none; fi
            [ "$current" = {{before.Hash}} ] || { echo '{{marker}}CHANGED'; exit 0; }
            tmp=$(mktemp -- "$d/.authorized_keys.XXXXXX") || exit 93
            IFS= read -r data
            if printf '%s' "$data" | base64 -d > "$tmp" && chmod 600 -- "$tmp" && mv -f -- "$tmp" "$f"
            then echo "{{marker}}WRITTEN $(sha256sum < "$f" | cut -c1-64)"
            else rm -f -- "$tmp"; exit 94; fi
            """;
        var data = Encoding.ASCII.GetBytes(Convert.ToBase64String(content));
        var output = Run(access, script, data, "writing authorized_keys");
        var values = Values(output, marker);
        if (values.ContainsKey("LINK"))
        {
            throw new PassManException(
                ErrorIds.SshDirectoryOwnership,
                PassManErrorKind.Security,
                $"{access.Account}: {before.SshDirectory.Path} or {before.File.Path} became a symbolic link while "
                    + "PassMan was editing the file; nothing was written.",
                access.Account);
        }

        if (values.ContainsKey("CHANGED"))
        {
            throw new PassManException(
                ErrorIds.KeyFileChanged,
                PassManErrorKind.InvalidOperation,
                $"{access.Account}: {before.File.Path} changed on the target while PassMan was editing it; "
                    + "nothing was written. Run the command again.",
                access.Account);
        }

        if (!values.TryGetValue("WRITTEN", out var written) || written != Hash(content))
        {
            throw Unexpected(access, "writing authorized_keys", output);
        }

        return before with
        {
            SshDirectory = before.SshDirectory with { Exists = true },
            File = before.File with { Exists = true },
            Content = content,
            Hash = written,
        };
    }

    /// <summary>Quotes text for a POSIX shell: one argument, whatever it holds.</summary>
    internal static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Text as one shell word for a person to read: as it is when it needs no quotes.</summary>
    internal static string Word(string text) =>
        text.Length > 0
            && text.All(c => char.IsAsciiLetterOrDigit(c) || SafeInWords.Contains(c, StringComparison.Ordinal))
            ? text
            : Quote(text);

    private const string SafeInWords = "@%+=:,./_-";

    /// <summary>
    /// Runs a script as the user. Through a reconcile account, sudo starts it with runuser, so
    /// even then it has only the user's own rights: links or files the user planted in the home
    /// folder lead nowhere the user could not go already.
    /// </summary>
    private static string Run(KeyFileAccess access, string script, byte[]? input, string what) =>
        access.AsRoot
            ? RunRooted(access, $"runuser -u {Quote(access.UserName)} -- bash -c {Quote(script)}", input, what)
            : RunDirect(access, $"bash -c {Quote(script)}", input, what);

    private static string RunDirect(KeyFileAccess access, string command, byte[]? input, string what)
    {
        var result = access.Session.Run(command, input is null ? Conversation.Silent : Conversation.WithInput(input));
        return result.ExitStatus == 0 ? result.Output : throw Unexpected(access, what, result.Output);
    }

    private static string RunRooted(KeyFileAccess access, string command, byte[]? input, string what)
    {
        using var line = input is null ? null : new SecretBuffer(input);
        var (rooted, conversation) = LinuxAccounts.RunAsRoot(
            access.Session,
            access.ReconcileUserName!,
            access.Account,
            command,
            line,
            access.SudoPassword);
        return conversation.Succeeded(rooted) ? rooted.Output : throw Unexpected(access, what, rooted.Output);
    }

    /// <summary>The script's marked lines, by name; a name given several times collects its values.</summary>
    private static Dictionary<string, string> Values(string output, string marker)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!line.StartsWith(marker, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[marker.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            var (name, value) = space < 0 ? (rest, string.Empty) : (rest[..space], rest[(space + 1)..]);
            values[name] = values.TryGetValue(name, out var earlier) ? earlier + "\n" + value : value;
        }

        return values;
    }

    private static string Required(Dictionary<string, string> values, string name, KeyFileAccess access) =>
        values.TryGetValue(name, out var value)
            ? value
            : throw Unexpected(access, "reading authorized_keys", string.Empty);

    private static string NewMarker() =>
        "PASSMAN-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "-";

    /// <summary>SHA-256 in lower-case hex, as sha256sum prints it.</summary>
    private static string Hash(byte[] content)
    {
        var hash = SHA256.HashData(content);
        var text = new StringBuilder(hash.Length * 2);
        foreach (var b in hash)
        {
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static PassManException Unexpected(KeyFileAccess access, string what, string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var said = string.Join(" ", lines
            .Where(line => !line.StartsWith("PASSMAN-", StringComparison.Ordinal))
            .TakeLast(4));
        return new PassManException(
            ErrorIds.TargetCommandFailed,
            PassManErrorKind.InvalidOperation,
            $"{access.Account}: {what} failed on the target: {(said.Length == 0 ? "no explanation" : said)}",
            access.Account);
    }
}

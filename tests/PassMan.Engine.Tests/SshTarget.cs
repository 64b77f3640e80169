using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// A real OpenSSH server for one test class: sshd on 127.0.0.N port 2022 in a mount namespace of
/// its own, started and stopped by tests/Targets/sshd-target, so the users and files a test makes
/// in it exist only there. Needs root on Linux and /usr/sbin/sshd; without them Start fails and
/// says so, and the tests that need a target fail with it rather than pass unseen.
/// </summary>
public sealed partial class SshTarget : IDisposable
{
    private static readonly object s_watcherLock = new();
    private static bool s_watcherStarted;

    private SshTarget(string address, int port, string root, int processId)
    {
        Address = address;
        Port = port;
        Root = root;
        ProcessId = processId;
    }

    /// <summary>The loopback address sshd listens on, 127.0.0.2 and up.</summary>
    public string Address { get; }

    /// <summary>The port, 2022.</summary>
    public int Port { get; }

    /// <summary>The target's folder on the host: sshd_config, sshd.log, known_hosts.</summary>
    public string Root { get; }

    /// <summary>The pid of sshd, whose mount namespace is the target's.</summary>
    public int ProcessId { get; }

    /// <summary>Where PassMan connects to, named like the Pester tests name their targets.</summary>
    public SshEndpoint Endpoint => new("sshtarget-" + Address.Split('.')[^1], Address, Port);

    /// <summary>The target's host keys as an OpenSSH client's known_hosts file.</summary>
    public string KnownHostsPath => Path.Combine(Root, "known_hosts");

    /// <summary>What sshd logged so far (LogLevel VERBOSE): "Accepted publickey for ...".</summary>
    public string Log => File.ReadAllText(Path.Combine(Root, "sshd.log"));

    /// <summary>
    /// Starts a target. Each of <paramref name="sshdOptions"/> is an sshd_config line that comes
    /// before the target's defaults and so wins over them. Targets of test processes that died are
    /// removed first, and a watcher removes this process's targets when it ends, however it ends.
    /// </summary>
    public static SshTarget Start(params string[] sshdOptions)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || !File.Exists("/usr/sbin/sshd"))
        {
            throw new InvalidOperationException(
                "The tests against real SSH servers need Linux, root and /usr/sbin/sshd (Debian's package "
                + "openssh-server): tests/Targets/sshd-target starts each server in a mount namespace. Run them "
                + "as root, as CI does; build.ps1 Test installs the package.");
        }

        StartWatcher();
        var arguments = new List<string> { "start", "--owner", Invariant(Environment.ProcessId) };
        foreach (var option in sshdOptions)
        {
            arguments.AddRange(["--option", option]);
        }

        var fields = Tool(arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        return new SshTarget(fields["address"], Number(fields["port"]), fields["root"], Number(fields["pid"]));
    }

    /// <summary>
    /// Runs a bash script as root inside the target's namespace and returns its output. The script
    /// is on a command line that every process can read; secrets go in <paramref name="input"/>.
    /// </summary>
    public string RunAsRoot(string script, string input = "")
    {
        var arguments = new List<string> { "-t", Invariant(ProcessId), "-m", "--", "/bin/bash", "-c", script };
        var result = TestProcess.Run("nsenter", arguments, input);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Address}: '{script}' failed (exit code {result.ExitCode}): {result.Error.Trim()}");
        }

        return result.Output;
    }

    /// <summary>Creates a user with a home folder and no password (useradd -m).</summary>
    public void AddUser(string userName) => RunAsRoot($"useradd -m -s /bin/bash {Checked(userName)}");

    /// <summary>
    /// Adds a public key line to the user's ~/.ssh/authorized_keys, owned by the user, with the
    /// modes sshd's StrictModes asks for: 0700 for the folder, 0600 for the file.
    /// </summary>
    public void AuthorizeKey(string userName, string publicKey)
    {
        var user = Checked(userName);
        var file = $"~{user}/.ssh/authorized_keys";
        RunAsRoot(
            $"install -d -m 700 -o {user} -g {user} ~{user}/.ssh && cat >>{file} && chown {user}: {file} "
                + $"&& chmod 600 {file}",
            publicKey.Trim() + "\n");
    }

    /// <summary>Pins every host key the server offers, as a first connection that trusts them would.</summary>
    public IReadOnlyList<HostKeyPin> PinHostKeys() => SshConnector.Scan(Endpoint, SshOptions.Default)
        .Select(key => HostKeyPin.Of(key, DateTimeOffset.UtcNow))
        .ToList();

    /// <summary>
    /// Logs in with the real OpenSSH client and a key file (mode 0600), runs a command and returns
    /// what it ended with. The client reads no configuration, trusts only the target's host keys
    /// and tries only the key; <paramref name="options"/> are more -o options.
    /// </summary>
    public ProcessResult Ssh(string userName, string keyPath, string command, params string[] options)
    {
        var arguments = new List<string>
        {
            "-F", "/dev/null", "-p", Invariant(Port), "-l", userName, "-i", keyPath,
            "-o", $"UserKnownHostsFile={KnownHostsPath}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "UpdateHostKeys=no", "-o", "BatchMode=yes",
            "-o", "IdentityAgent=none", "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey",
            "-o", "ConnectTimeout=10",
        };
        foreach (var option in options)
        {
            arguments.AddRange(["-o", option]);
        }

        arguments.AddRange([Address, command]);
        return TestProcess.Run("ssh", arguments);
    }

    /// <summary>Kills every process in the target's namespace and removes its folder.</summary>
    public void Dispose() => Tool(["stop", Address]);

    private static string Tool(List<string> arguments)
    {
        // Through bash, so that the script needs no execute bit.
        var result = TestProcess.Run("/bin/bash", [ToolPath, .. arguments]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"sshd-target {arguments[0]} failed (exit code {result.ExitCode}): {result.Error.Trim()}");
        }

        return result.Output;
    }

    /// <summary>
    /// Once per process, a detached watcher that removes this process's targets when it ends: a
    /// run killed halfway calls no Dispose. (The next start would remove them too, as stale.)
    /// </summary>
    private static void StartWatcher()
    {
        lock (s_watcherLock)
        {
            if (s_watcherStarted)
            {
                return;
            }

            var detach = "setsid -f /bin/bash \"$0\" watch \"$1\" </dev/null >/dev/null 2>&1";
            var result = TestProcess.Run("/bin/bash", ["-c", detach, ToolPath, Invariant(Environment.ProcessId)]);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"The SSH targets' watcher did not start: {result.Error.Trim()}");
            }

            s_watcherStarted = true;
        }
    }

    /// <summary>
    /// tests/Targets/sshd-target in the repository: below PASSMAN_REPO_ROOT when that is set,
    /// otherwise in the nearest folder above the test assembly that has it.
    /// </summary>
    private static string ToolPath
    {
        get
        {
            var relative = Path.Combine("tests", "Targets", "sshd-target");
            if (Environment.GetEnvironmentVariable("PASSMAN_REPO_ROOT") is { Length: > 0 } root)
            {
                return Path.Combine(root, relative);
            }

            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException(
                $"No {relative} above {AppContext.BaseDirectory}; set PASSMAN_REPO_ROOT to the repository.");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static string Checked(string userName) => UserName().IsMatch(userName)
        ? userName
        : throw new ArgumentException($"'{userName}' is not a user name the targets make.", nameof(userName));

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserName();
}

/// <summary>A real OpenSSH server for the tests of one class (xunit makes one per class).</summary>
public sealed class SshTargetFixture : IDisposable
{
    public SshTargetFixture() => Target = SshTarget.Start();

    public SshTarget Target { get; }

    public void Dispose() => Target.Dispose();
}

namespace PassMan.Tests;

/// <summary>Runs the real ssh-keygen, the reference that PassMan's SSH formats are checked against.</summary>
internal static class SshKeygen
{
    /// <summary>Runs ssh-keygen and returns what it printed; the test fails unless it exits with 0.</summary>
    public static string Run(params string[] arguments)
    {
        var (exitCode, output, error) = TryRun(arguments);
        Assert.True(exitCode == 0, $"ssh-keygen {string.Join(' ', arguments)} failed: {error}");
        return output;
    }

    /// <summary>Runs ssh-keygen and returns its exit code and what it printed, for commands that may fail.</summary>
    public static (int ExitCode, string Output, string Error) TryRun(params string[] arguments)
    {
        var (exitCode, output, error) = TestProcess.Run("ssh-keygen", arguments);
        return (exitCode, output, error);
    }
}

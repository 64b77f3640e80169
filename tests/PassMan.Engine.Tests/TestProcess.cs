using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace PassMan.Tests;

/// <summary>What a program a test ran ended with.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs the programs the tests drive (ssh-keygen, ssh, sshd-target, nsenter). Arguments go as a
/// list, never through a shell; anything secret goes on standard input, which no other process
/// can read, unlike a command line in /proc.
/// </summary>
internal static class TestProcess
{
    public static ProcessResult Run(string program, IReadOnlyList<string> arguments, string input = "",
        int timeoutSeconds = 60)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = utf8,
            StandardOutputEncoding = utf8,
            StandardErrorEncoding = utf8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"'{program} {string.Join(' ', arguments)}' did not end within {timeoutSeconds} seconds.");
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, output.Result, error.Result);
    }
}

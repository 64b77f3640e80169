using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using PassMan.Crypto;
using PassMan.Linux;
using PassMan.Ssh;

namespace PassMan.Tests;

/// <summary>
/// Properties of the passwd and sudo conversations: the target's output arrives in pieces of any
/// size, after any banner, and the conversation answers each prompt once it is on the screen,
/// with the secret that belongs to it, and nowhere else.
/// </summary>
public sealed class ConversationPropertyTests
{
    private const string Current = "Old-Passw0rd-1";
    private const string New = "New-Passw0rd-2";

    // The prompts passwd prints in the C locale, in the versions PasswdConversation knows.
    private static readonly string[] s_currentPrompts =
        ["Current password: ", "(current) UNIX password: ", "Password: "];
    private static readonly string[] s_newPrompts =
        ["New password: ", "Enter new UNIX password: ", "New UNIX password: "];
    private static readonly string[] s_retypePrompts =
        ["Retype new password: ", "Retype new UNIX password: ", "Re-enter new password: ", "Reenter new password: "];

    /// <summary>
    /// Lines a login may print before passwd starts: banners, the MOTD, expiry notices, and lines
    /// that hold prompt words but, ended by a line break, wait for no answer.
    /// </summary>
    private static readonly Gen<string> s_noiseLine = Gen.OneOf(
        Gen.OneOf(
            "Welcome to Debian GNU/Linux 12 (bookworm)",
            "Last login: Thu Dec  3 10:00:00 2026 from 10.0.0.1",
            "WARNING: Your password has expired.",
            "You are required to change your password immediately (administrator enforced)",
            "Your password will expire in 3 days.",
            "Password:",
            "Current password: ",
            "New password: is what you will need",
            "Retype new password:",
            "BAD PASSWORD: not yet",
            "passwd: password updated successfully",
            "Changing password for alice."),
        Gen.String[Gen.Char[' ', '\uD7FF'], 0, 80])
        .SelectMany(line => Gen.OneOf("\n", "\r\n").Select(ending => line + ending));

    /// <summary>
    /// Secrets of printable ASCII, blanks included, but no '*': a secret with one may read again
    /// where the mask meets the text around it (see <see cref="SecretMask"/>).
    /// </summary>
    private static readonly Gen<string> s_secret =
        Gen.String[Gen.Char[' ', '~'], 1, 12].Select(text => text.Replace('*', '+'));

    /// <summary>Up to four cut points for each of five steps, taken modulo the length of the step's text.</summary>
    private static readonly Gen<int[][]> s_cuts = Gen.Int[0, int.MaxValue].Array[0, 4].Array[5];

    /// <summary><paramref name="text"/> cut at <paramref name="cuts"/>, into pieces that join to it.</summary>
    private static string[] Pieces(string text, int[] cuts)
    {
        var points = cuts.Select(cut => cut % (text.Length + 1)).Append(0).Append(text.Length)
            .Distinct().Order().ToArray();
        return points.Zip(points.Skip(1), (from, to) => text[from..to]).ToArray();
    }

    private static Gen<PasswdRun> PasswdRuns =>
        from noise in s_noiseLine.Array[0, 5]
        from current in Gen.OneOf(s_currentPrompts)
        from next in Gen.OneOf(s_newPrompts)
        from retype in Gen.OneOf(s_retypePrompts)
        from refused in Gen.Bool
        select new PasswdRun(noise, current, next, retype, refused);

    [Fact]
    public void Passwd_gets_each_password_exactly_when_its_prompt_is_complete_however_the_output_is_split()
    {
        var runs = Gen.Select(PasswdRuns, s_cuts, (run, cuts) =>
            (Run: run, Pieces: run.Steps.Select((step, i) => Pieces(step.Text, cuts[i])).ToArray()));

        runs.Sample(
            sample =>
            {
                using var current = new SecretBuffer(Encoding.UTF8.GetBytes(Current));
                using var next = new SecretBuffer(Encoding.UTF8.GetBytes(New));
                using var input = new RecordedInput();
                var conversation = new PasswdConversation(current, next);
                var output = string.Empty;
                var answered = new List<string>();

                conversation.OnOutput(output, input.Input);
                for (var i = 0; i < sample.Run.Steps.Length; i++)
                {
                    var step = sample.Run.Steps[i];
                    var fed = string.Empty;

                    // Noise comes a whole line at a time: a line cut after "Password:" would be a
                    // prompt for anyone who reads it, a program as much as a person.
                    foreach (var piece in i == 0 ? sample.Run.Noise : sample.Pieces[i])
                    {
                        fed += piece;
                        output += piece;
                        conversation.OnOutput(output, input.Input);
                        var due = step.Answer is not null && fed.Length >= step.PromptEnd;
                        var expected = answered.Append(due ? step.Answer! + "\n" : string.Empty);
                        Assert.Equal(string.Concat(expected), input.Written);
                    }

                    if (step.Answer is not null)
                    {
                        answered.Add(step.Answer + "\n");
                    }
                }

                Assert.Equal(sample.Run.Refused ? PasswdStage.Refused : PasswdStage.Sent, conversation.Stage);
                Assert.Equal(sample.Run.Refused ? "BAD PASSWORD: The password is shorter than 16 characters" : null,
                    conversation.RefusalReason);
            },
            iter: 3000,
            print: sample => sample.Run + " in pieces " + string.Join(" | ", sample.Pieces.SelectMany(p => p)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Passwd_is_answered_alike_when_its_output_is_cut_in_two_at_any_point(bool refused)
    {
        var run = new PasswdRun([], s_currentPrompts[0], s_newPrompts[0], s_retypePrompts[0], refused);
        foreach (var step in run.Steps.Select((step, index) => (step, index)))
        {
            for (var cut = 0; cut <= step.step.Text.Length; cut++)
            {
                using var current = new SecretBuffer(Encoding.UTF8.GetBytes(Current));
                using var next = new SecretBuffer(Encoding.UTF8.GetBytes(New));
                using var input = new RecordedInput();
                var conversation = new PasswdConversation(current, next);
                var output = string.Empty;
                for (var i = 0; i < run.Steps.Length; i++)
                {
                    var text = run.Steps[i].Text;
                    string[] pieces = i == step.index ? [text[..cut], text[cut..]] : [text];
                    foreach (var piece in pieces)
                    {
                        output += piece;
                        conversation.OnOutput(output, input.Input);
                    }
                }

                Assert.Equal(refused ? PasswdStage.Refused : PasswdStage.Sent, conversation.Stage);
            }
        }
    }

    [Fact]
    public void A_BAD_PASSWORD_line_cut_after_its_colon_is_no_prompt_of_passwd()
    {
        var (conversation, _) = Passwd(
            Current, New, "Current password: ", "\nNew password: ", "\nBAD PASSWORD: ", "too short\nNew password: ");

        Assert.Equal(PasswdStage.Refused, conversation.Stage);
        Assert.Equal("BAD PASSWORD: too short", conversation.RefusalReason);
    }

    [Fact]
    public void A_prompt_word_on_a_line_that_has_ended_gets_no_answer()
    {
        var (conversation, written) = Passwd(Current, New, "Remember your password:\n");

        Assert.Equal(string.Empty, written);
        Assert.Equal(PasswdStage.AwaitingCurrent, conversation.Stage);
    }

    [Fact]
    public void Any_target_output_leaves_passwd_secrets_only_at_prompts_and_never_in_the_refusal_reason()
    {
        // Secrets of printable ASCII with blanks; the output is prompts, pieces of the secrets broken
        // by line breaks and carriage returns, and any text, in any order.
        var secret = s_secret;
        var fragments = Gen.Select(secret, secret).SelectMany(secrets => Gen.Select(
            Gen.Const(secrets),
            Gen.OneOf(
                Gen.OneOf(s_currentPrompts.Concat(s_newPrompts).Concat(s_retypePrompts).ToArray()),
                Gen.OneOf("\n", "\r", "\r\n", "BAD PASSWORD: ", " "),
                Gen.Select(Gen.OneOf(secrets.Item1, secrets.Item2), Gen.Int[0, 12], Gen.OneOf("\n", "\r", "\n \n"))
                    .Select((s, at, brk) => s[..Math.Min(at, s.Length)] + brk + s[Math.Min(at, s.Length)..]),
                Gen.String).Array[0, 30]));

        fragments.Sample(
            (secrets, pieces) =>
            {
                var (currentText, newText) = secrets;

                var (conversation, written) = Passwd(currentText, newText, pieces);

                Assert.All(
                    written.Split('\n')[..^1],
                    line => Assert.True(line == currentText || line == newText));
                Assert.True(
                    conversation.RefusalReason is null || NoSecretIn(conversation.RefusalReason, currentText, newText),
                    $"refusal reason '{conversation.RefusalReason}'");
            },
            iter: 5000,
            print: sample => $"secrets '{sample.Item1.Item1}' '{sample.Item1.Item2}', output "
                + string.Join(" | ", sample.Item2.Select(p => p.Replace("\n", "\\n", StringComparison.Ordinal)
                    .Replace("\r", "\\r", StringComparison.Ordinal))));
    }

    [Fact]
    public void Sudo_gets_its_password_only_after_its_own_prompt_and_the_line_only_after_the_script_got_through()
    {
        var runs =
            from noise in s_noiseLine.Array[0, 4]
            from asked in Gen.Bool
            from rejected in Gen.Bool
            from cuts in s_cuts
            select (Noise: noise, Asked: asked, Rejected: asked && rejected, Cuts: cuts);

        runs.Sample(
            run =>
            {
                using var password = new SecretBuffer("New-Passw0rd-2"u8);
                using var sudo = new SecretBuffer("Sudo-Passw0rd-3"u8);
                using var line = SudoConversation.ChpasswdLine("alice", password);
                using var input = new RecordedInput();
                var conversation = new SudoConversation("chpasswd", line, sudo);
                var steps = SudoSteps(conversation, run.Noise, run.Asked, run.Rejected);
                var output = string.Empty;
                var expected = string.Empty;

                conversation.OnOutput(output, input.Input);
                for (var step = 0; step < steps.Count; step++)
                {
                    var (text, answer, marker) = steps[step];
                    var fed = 0;
                    foreach (var piece in step == 0 ? run.Noise : Pieces(text, run.Cuts[step]))
                    {
                        output += piece;
                        fed += piece.Length;
                        conversation.OnOutput(output, input.Input);
                        var due = answer is not null
                            && fed >= text.IndexOf(marker!, StringComparison.Ordinal) + marker!.Length;
                        Assert.Equal(expected + (due ? answer : string.Empty), input.Written);
                    }

                    expected += answer ?? string.Empty;
                }

                Assert.Equal(!run.Rejected, conversation.LineSent);
                Assert.Equal(run.Rejected, conversation.SudoPasswordRejected);
            },
            iter: 3000);
    }

    [Fact]
    public void Any_target_output_never_makes_sudo_type_a_secret_nor_explain_with_one()
    {
        var secret = s_secret;
        var pieces = Gen.OneOf(
            Gen.OneOf("\n", "\r", "PASSMAN-", "-SUDO-PROMPT\n", "-RUN\n", "[sudo] password for alice: "),
            Gen.String);

        Gen.Select(secret, secret, pieces.Array[0, 20], Gen.Int[0, 12]).Sample(
            (sudoText, newText, parts, at) =>
            {
                using var password = new SecretBuffer(Encoding.UTF8.GetBytes(newText));
                using var sudo = new SecretBuffer(Encoding.UTF8.GetBytes(sudoText));
                using var input = new RecordedInput();
                var conversation = new SudoConversation("chpasswd", password, sudo);
                var output = string.Empty;

                foreach (var part in parts)
                {
                    output += part;
                    conversation.OnOutput(output, input.Input);
                }

                // The target echoes both secrets, broken by a line break, into what it prints.
                var cut = Math.Min(at, newText.Length);
                var echoed = output + newText[..cut] + "\r\n" + newText[cut..] + "\n" + sudoText + "\n";
                var result = new CommandResult(1, conversation.Scrub(echoed));
                Assert.Equal(string.Empty, input.Written);
                Assert.True(NoSecretIn(conversation.Explain(result), sudoText, newText), conversation.Explain(result));
                Assert.False(conversation.Succeeded(result));
            },
            iter: 5000);
    }

    [Fact]
    public void A_refusal_reason_that_breaks_the_new_password_over_two_lines_holds_it_masked()
    {
        var (conversation, _) = Passwd(
            Current,
            "New Passw0rd 2",
            "Current password: ",
            "\nNew password: ",
            "\nBAD PASSWORD: New\nPassw0rd 2\nNew password: ");

        Assert.Equal(PasswdStage.Refused, conversation.Stage);
        Assert.DoesNotContain("New Passw0rd 2", conversation.RefusalReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sudo_explains_without_the_secret_it_broke_over_two_lines()
    {
        using var password = new SecretBuffer("New-Passw0rd-2"u8);
        using var line = SudoConversation.ChpasswdLine("alice", password);
        var conversation = new SudoConversation("chpasswd", line, null);

        var output = conversation.Scrub("echo alice:New-Pass\rw0rd-2\n");

        var explained = conversation.Explain(new CommandResult(1, output));

        Assert.DoesNotContain("New-Passw0rd-2", explained, StringComparison.Ordinal);
    }

    /// <summary>A passwd conversation fed <paramref name="pieces"/> of output in turn, and what it wrote.</summary>
    private static (PasswdConversation Conversation, string Written) Passwd(
        string currentPassword,
        string newPassword,
        params string[] pieces)
    {
        using var current = new SecretBuffer(Encoding.UTF8.GetBytes(currentPassword));
        using var next = new SecretBuffer(Encoding.UTF8.GetBytes(newPassword));
        using var input = new RecordedInput();
        var conversation = new PasswdConversation(current, next);
        var output = string.Empty;
        foreach (var piece in pieces)
        {
            output += piece;
            conversation.OnOutput(output, input.Input);
        }

        return (conversation, input.Written);
    }

    /// <summary>Whether <paramref name="text"/> holds none of the secrets.</summary>
    private static bool NoSecretIn(string text, params string[] secrets) =>
        secrets.All(secret => !text.Contains(secret, StringComparison.Ordinal));

    /// <summary>
    /// What the sudo script prints, step by step, with the answer each step's marker calls for:
    /// noise, sudo's prompt when it asks (twice when it rejects), then the script's RUN marker.
    /// </summary>
    private static List<(string Text, string? Answer, string? Marker)> SudoSteps(
        SudoConversation conversation,
        string[] noise,
        bool asked,
        bool rejected)
    {
        var nonce = Regex.Match(conversation.Script, "PASSMAN-[0-9A-F]{16}-").Value;
        var steps = new List<(string, string?, string?)> { (string.Concat(noise), null, null) };
        if (asked)
        {
            steps.Add(("We trust you have received the usual lecture.\n" + nonce + "SUDO-PROMPT\n", "Sudo-Passw0rd-3\n",
                nonce + "SUDO-PROMPT"));
        }

        if (rejected)
        {
            steps.Add(("Sorry, try again.\n" + nonce + "SUDO-PROMPT\n", null, null));
            return steps;
        }

        steps.Add((nonce + "RUN\n", "alice:New-Passw0rd-2\n", nonce + "RUN"));
        steps.Add(("chpasswd: done\n" + nonce + "EXIT 0\n", null, null));
        return steps;
    }

    /// <summary>One passwd run: what it prints step by step, each step with the answer it waits for.</summary>
    private sealed record PasswdRun(
        string[] Noise,
        string CurrentPrompt,
        string NewPrompt,
        string RetypePrompt,
        bool Refused)
    {
        public PasswdStep[] Steps =>
        [
            new(string.Concat(Noise), null),
            new("Changing password for alice.\n" + CurrentPrompt, Current),
            new("\n" + NewPrompt, New),
            Refused
                ? new("\nBAD PASSWORD: The password is shorter than 16 characters\n" + NewPrompt, null)
                : new("\n" + RetypePrompt, New),
            new(Refused ? string.Empty : "\npasswd: password updated successfully\n", null),
        ];

        public override string ToString() =>
            $"{Noise.Length} noise lines, '{CurrentPrompt}' '{NewPrompt}' '{RetypePrompt}'"
                + (Refused ? ", refused" : string.Empty);
    }

    /// <summary>A step of passwd's output; when it ends with a prompt, the answer, due once the colon is out.</summary>
    private sealed record PasswdStep(string Text, string? Answer)
    {
        public int PromptEnd => Text.LastIndexOf(':') + 1;
    }
}

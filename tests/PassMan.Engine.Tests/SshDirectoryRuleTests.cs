using System.Linq;
using PassMan.Linux;

namespace PassMan.Tests;

public sealed class SshDirectoryRuleTests
{
    private static PathState Home(string owner = "alice", int mode = 0b111_101_101) =>
        new("/home/alice", true, owner, owner, mode, "directory");

    private static PathState Ssh(string? owner = "alice", int mode = 0b111_000_000, bool exists = true) =>
        new("/home/alice/.ssh", exists, exists ? owner : null, owner, exists ? mode : null, "directory");

    private static PathState File(string owner = "alice", int mode = 0b110_000_000, bool exists = true) =>
        new("/home/alice/.ssh/authorized_keys", exists, exists ? owner : null, owner, exists ? mode : null,
            exists ? "regular file" : null);

    [Fact]
    public void The_usual_modes_keep_the_rule()
    {
        Assert.Empty(SshDirectoryRule.Check("alice", Home(), Ssh(), File()));
        Assert.Empty(SshDirectoryRule.Check("alice", Home("root"), Ssh(), File()));
        Assert.Empty(SshDirectoryRule.Check("alice", Home(), Ssh(exists: false), File(exists: false)));
    }

    [Fact]
    public void A_root_owned_ssh_folder_is_repairable_and_says_how()
    {
        var problem = Assert.Single(SshDirectoryRule.Check("alice", Home(), Ssh("root"), File(exists: false)));

        Assert.True(problem.Repairable);
        Assert.Contains("belongs to root", problem.Reason, System.StringComparison.Ordinal);
        Assert.Equal("chown alice: /home/alice/.ssh && chmod 700 /home/alice/.ssh", problem.Fix);
    }

    [Theory]
    [InlineData(0b111_111_101, "0775")]
    [InlineData(0b111_101_111, "0757")]
    public void A_home_others_can_write_to_is_a_breach_PassMan_does_not_repair(int mode, string shown)
    {
        var problem = Assert.Single(SshDirectoryRule.Check("alice", Home(mode: mode), Ssh(), File()));

        Assert.False(problem.Repairable);
        Assert.Contains($"mode {shown}", problem.Reason, System.StringComparison.Ordinal);
        Assert.Equal("chmod go-w /home/alice", problem.Fix);
    }

    [Fact]
    public void A_home_of_another_user_or_a_key_file_of_another_owner_are_breaches_PassMan_leaves_to_root()
    {
        Assert.False(SshDirectoryRule.Check("alice", Home("bob"), Ssh(), File()).Single().Repairable);
        Assert.False(SshDirectoryRule.Check("alice", Home(), Ssh(), File("root")).Single().Repairable);
        Assert.True(SshDirectoryRule.Check("alice", Home(), Ssh(mode: 0b111_111_000), File()).Single().Repairable);

        // The user's own file that others may write is replaced, mode 0600, by the edit itself.
        Assert.Empty(SshDirectoryRule.Check("alice", Home(), Ssh(), File(mode: 0b110_110_000)));
    }

    [Fact]
    public void Links_where_the_folder_or_the_file_should_be_are_refused_and_never_repaired()
    {
        var linkedFolder = new PathState("/home/alice/.ssh", true, "alice", "alice", 0b111_111_111, "symbolic link");
        var linkedFile = File() with { Kind = "symbolic link", Mode = 0b111_111_111 };

        Assert.False(SshDirectoryRule.Check("alice", Home(), linkedFolder, File(exists: false)).Single().Repairable);
        Assert.False(SshDirectoryRule.Check("alice", Home(), Ssh(), linkedFile).Single().Repairable);
    }

    [Fact]
    public void The_fix_commands_quote_paths_for_the_shell()
    {
        var home = Home(mode: 0b111_111_101) with { Path = "/home/a b/it's" };

        var problem = SshDirectoryRule.Check("alice", home, Ssh(), File()).Single();

        Assert.Equal("chmod go-w '/home/a b/it'\\''s'", problem.Fix);
    }

    [Fact]
    public void Stat_lines_are_read_and_an_unseen_path_is_not_there()
    {
        var seen = SshDirectoryRule.Parse("/home/alice/.ssh", "root root 700 directory");
        var unseen = SshDirectoryRule.Parse("/home/alice/.ssh/authorized_keys", "-");

        Assert.Equal(("root", 0b111_000_000, "directory"), (seen.Owner, seen.Mode, seen.Kind));
        Assert.Equal("0700", seen.ModeText);
        Assert.False(unseen.Exists);
        Assert.Null(unseen.Owner);
    }
}

#!/bin/sh
# usage: mk/layering.sh [TOOLS_DIR]
# The layering rules of the source tree (HACKING.md), checked on the text:
#   1. generic helpers (util/) include no header outside util/;
#   2. library code (every family folder) never prints or exits: no printf,
#      puts, putchar, perror, exit, _exit, abort, no stdout or stderr;
#   3. library code does not include the commands' header cmd.h.
# Comments and string literals are not read. Prints one line per breach,
# FILE:LINE: what, and exits 1 when there is any.
tools=${1:-$(dirname "$0")/../tools}
find "$tools" -mindepth 2 -name '*.[ch]' | sort | perl -e '
	my $bad = 0;
	while (my $file = <STDIN>) {
		chomp $file;
		open(my $fh, "<", $file) or die "cannot read $file: $!\n";
		my $text = do { local $/; <$fh> };
		my $util = $file =~ m{/util/[^/]+$};
		# blank out comments and string and character literals, keeping lines
		$text =~ s{(\#\s*include\s*"[^"\n]*")|/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\x27(?:\\.|[^\x27\\\n])*\x27}{
			defined $1 ? $1 : join("", map { $_ eq "\n" ? "\n" : " " } split //, $&)
		}gse;
		my $n = 0;
		for my $line (split /\n/, $text, -1) {
			$n++;
			if ($line =~ /#\s*include\s*"([^"]+)"/) {
				my $h = $1;
				if ($util && $h !~ m{^util/}) {
					print "$file:$n: a generic helper includes \"$h\"\n"; $bad = 1;
				}
				if ($h eq "cmd.h") {
					print "$file:$n: library code includes \"cmd.h\"\n"; $bad = 1;
				}
				next;
			}
			if ($line =~ /\b(printf|vprintf|puts|putchar|perror|exit|_exit|abort)\s*\(/ ||
			    $line =~ /\b(stdout|stderr)\b/) {
				print "$file:$n: library code prints or exits: $1\n"; $bad = 1;
			}
		}
	}
	exit $bad;
'

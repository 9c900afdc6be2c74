# frozen_string_literal: true

# Prints the gems a Gemfile names that are not installed (one a line), for
# eval/fix/harness.sh booting a Rails app on Debian's packaged gems. Those
# of the development and test groups are listed too: bundler resolves every
# group, even those it does not install.
gemfile = ARGV.fetch(0, "Gemfile")
File.readlines(gemfile).each do |line|
  m = line.sub(/#.*/, "").match(/^\s*gem\s+["']([^"']+)["']/)
  next unless m

  begin
    gem m[1]
  rescue Gem::LoadError
    puts m[1]
  end
end

package io.socksudp.demo.cli;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tiny GNU-style parser every program here shares: {@code --flag}, {@code --option VALUE} and
 * {@code --option=VALUE}. Kept deliberately small so the demo programs need no dependency.
 */
public final class Args {
    private final Set<String> flags;
    private final Map<String, String> values;

    private Args(Set<String> flags, Map<String, String> values) {
        this.flags = flags;
        this.values = values;
    }

    /** The names a program accepts, for {@link #parse} (Java 8 has no {@code Set.of}). */
    public static Set<String> names(String... names) {
        return Collections.unmodifiableSet(new HashSet<>(Arrays.asList(names)));
    }

    /**
     * @param flagNames   options without a value, e.g. {@code --channel}
     * @param optionNames options that take a value, e.g. {@code --port}
     */
    public static Args parse(String[] argv, Set<String> flagNames, Set<String> optionNames)
            throws UsageException {
        Set<String> flags = new HashSet<>();
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            String name = arg;
            String inlineValue = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inlineValue = arg.substring(eq + 1);
            }
            if (flagNames.contains(name) && inlineValue == null) {
                flags.add(name);
            } else if (optionNames.contains(name)) {
                if (inlineValue == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(name + " needs a value");
                    }
                    inlineValue = argv[++i];
                }
                values.put(name, inlineValue);
            } else {
                throw new UsageException("unknown argument " + arg);
            }
        }
        return new Args(flags, values);
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String value(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    public String required(String name) throws UsageException {
        return value(name).orElseThrow(() -> new UsageException(name + " is required"));
    }

    public int intValue(String name, int defaultValue, int min, int max) throws UsageException {
        String text = values.get(name);
        if (text == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new UsageException(name + " must be between " + min + " and " + max + ", not " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, not " + text);
        }
    }
}

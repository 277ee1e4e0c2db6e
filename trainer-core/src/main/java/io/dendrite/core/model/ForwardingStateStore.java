package io.dendrite.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/** A {@link StateStore} that passes every call to another; subclasses override what they change. */
public class ForwardingStateStore implements StateStore {
    private final StateStore delegate;

    /** Forwards to {@code delegate}. */
    public ForwardingStateStore(StateStore delegate) {
        this.delegate = delegate;
    }

    /** The store calls go to. */
    protected StateStore delegate() {
        return delegate;
    }

    @Override
    public OutputStream create(String name) throws IOException {
        return delegate.create(name);
    }

    @Override
    public InputStream open(String name) throws IOException {
        return delegate.open(name);
    }

    @Override
    public String describe(String name) {
        return delegate.describe(name);
    }

    @Override
    public long size(String name) throws IOException {
        return delegate.size(name);
    }

    @Override
    public boolean exists() throws IOException {
        return delegate.exists();
    }

    @Override
    public List<String> directories() throws IOException {
        return delegate.directories();
    }

    @Override
    public List<String> files() throws IOException {
        return delegate.files();
    }

    @Override
    public StateStore directory(String name) throws IOException {
        return delegate.directory(name);
    }

    @Override
    public void rename(String from, String to) throws IOException {
        delegate.rename(from, to);
    }

    @Override
    public void delete(String name) throws IOException {
        delegate.delete(name);
    }
}

package io.flowbench.tracking;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** A file-system failure in words: the JDK's exceptions carry only the path for several causes. */
public final class FileErrors {
    private FileErrors() {
    }

    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof FileAlreadyExistsException f) {
            return "a file, not a folder, is at " + f.getFile();
        }
        if (e instanceof NoSuchFileException f) {
            return "no such file or folder: " + f.getFile();
        }
        if (e instanceof NotDirectoryException f) {
            return "not a folder: " + f.getFile();
        }
        if (e instanceof FileSystemException f) {
            return (f.getReason() != null ? f.getReason() : "cannot access") + ": " + f.getFile()
                    + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
